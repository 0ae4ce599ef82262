/**
 * The zero-loss half of the benchmark: every stream of stored messages a socket receives (acks
 * on the sender, `message` frames on each recipient) must carry consecutive seqs, each once, and
 * every message sent must arrive. Each scenario reports an `Integrity`; main sums them.
 */

/** Checks one stream of seqs in arrival order against how many frames it should carry. */
export class SeqStream {
  /** Set by the scenario: frames this stream should carry by the end. */
  expected = 0;
  received = 0;
  /** Frames whose seq is not the previous one + 1 (a gap, a repeat or a reordering). */
  outOfOrder = 0;
  private last: number;

  /** `after`: the last seq the receiver already held when the stream began. */
  constructor(after = 0) {
    this.last = after;
  }

  see(seq: number): void {
    this.received++;
    if (seq !== this.last + 1) this.outOfOrder++;
    this.last = Math.max(this.last, seq);
  }
}

export interface Integrity {
  /** Deliveries that were checked: acks plus `message` frames expected on recipients. */
  expected: number;
  lost: number;
  outOfOrder: number;
  /** Sockets that closed while the scenario still needed them. */
  drops: number;
}

export const NO_PROBLEMS: Integrity = { expected: 0, lost: 0, outOfOrder: 0, drops: 0 };

export function checkStreams(streams: readonly SeqStream[], drops: number): Integrity {
  return streams.reduce<Integrity>(
    (sum, s) => ({
      expected: sum.expected + s.expected,
      lost: sum.lost + Math.max(0, s.expected - s.received),
      outOfOrder: sum.outOfOrder + s.outOfOrder,
      drops: sum.drops,
    }),
    { ...NO_PROBLEMS, drops },
  );
}

export function addIntegrity(a: Integrity, b: Integrity): Integrity {
  return {
    expected: a.expected + b.expected,
    lost: a.lost + b.lost,
    outOfOrder: a.outOfOrder + b.outOfOrder,
    drops: a.drops + b.drops,
  };
}

export const isClean = (i: Integrity) => i.lost === 0 && i.outOfOrder === 0 && i.drops === 0;
