/**
 * The ready tasks, best first, as a binary heap: a completion adds what it unblocked in
 * O(log n) instead of re-sorting every ready task. Removal is lazy (an id no longer queued is
 * skipped when it surfaces), so `delete` is O(1).
 */
export class ReadyQueue<T extends { id: string }> {
  private readonly heap: T[] = [];
  private readonly queued = new Map<string, T>();

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.queued.size;
  }

  has(id: string): boolean {
    return this.queued.has(id);
  }

  push(item: T): void {
    if (this.queued.has(item.id)) return;
    this.queued.set(item.id, item);
    this.heap.push(item);
    this.siftUp(this.heap.length - 1);
  }

  delete(id: string): boolean {
    return this.queued.delete(id);
  }

  peek(): T | undefined {
    this.dropStale();
    return this.heap[0];
  }

  pop(): T | undefined {
    this.dropStale();
    const top = this.heap[0];
    if (top === undefined) return undefined;
    this.removeTop();
    this.queued.delete(top.id);
    return top;
  }

  /** Queued items in order, without consuming the queue (O(n log n)). */
  toSortedArray(): T[] {
    return [...this.queued.values()].sort(this.compare);
  }

  private dropStale(): void {
    while (this.heap.length > 0 && this.queued.get(this.heap[0]!.id) !== this.heap[0]) this.removeTop();
  }

  private removeTop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.siftDown(0);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.compare(heap[index]!, heap[parent]!) >= 0) return;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let best = index;
      if (left < heap.length && this.compare(heap[left]!, heap[best]!) < 0) best = left;
      if (right < heap.length && this.compare(heap[right]!, heap[best]!) < 0) best = right;
      if (best === index) return;
      [heap[index], heap[best]] = [heap[best]!, heap[index]!];
      index = best;
    }
  }
}
