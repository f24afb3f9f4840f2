/**
 * Maps a key path of a parsed YAML/JSON document back to its line, so scenario errors can say
 * where the mistake is. For an unknown key the line is that key's own line.
 */
import { isMap, isSeq, isScalar, LineCounter, type Document, type Node } from 'yaml';

export function lineOfPath(doc: Document, lc: LineCounter, path: ReadonlyArray<PropertyKey>, unknownKey?: string): number | null {
  let node: unknown = doc.contents;
  let lastRange: [number, number, number] | undefined = (doc.contents as Node | null)?.range ?? undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      lastRange = (pair.key as Node).range ?? lastRange;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      lastRange = item.range ?? lastRange;
      node = item;
    } else break;
  }
  if (unknownKey !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === unknownKey);
    if (pair && (pair.key as Node).range) lastRange = (pair.key as Node).range!;
  } else if (node && (node as Node).range) {
    lastRange = (node as Node).range!;
  }
  if (!lastRange) return null;
  return lc.linePos(lastRange[0]).line;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}
