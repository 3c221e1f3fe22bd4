/** Latest-wins: a reply to an older request than the last one started is dropped. */
export class Ticket {
  private n = 0;
  next(): () => boolean {
    const mine = ++this.n;
    return () => mine === this.n;
  }
}
