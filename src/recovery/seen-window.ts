/** A bounded set of extended sequence numbers: the newest `capacity` additions are remembered. */
export class SeenWindow {
  private readonly set = new Set<number>();
  private readonly order: number[] = [];

  constructor(private readonly capacity: number) {}

  has(ext: number): boolean {
    return this.set.has(ext);
  }

  add(ext: number): void {
    if (this.set.has(ext)) return;
    this.set.add(ext);
    this.order.push(ext);
    if (this.order.length > this.capacity) this.set.delete(this.order.shift()!);
  }
}
