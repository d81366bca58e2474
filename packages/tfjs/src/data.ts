// The regression data of paper 004 §4.1 (M = 200): the authors' own draw, shared with the built-in tanh-regression
// through the kernel (a plugin package may import only the kernel). data.test.ts pins its bits.
export { PAPER_X, PAPER_Y } from '@nesslab/kernel/data';
