/**
 * The worked example of doc/competition.md ("Settlement rule"), in the `clash settle` file form.
 * Four clones start with 10,000 USD; tickets cost 0.01 ETH.
 */
export const workedExample = {
  raceId: 'race-worked-example',
  ticketPriceWei: '10000000000000000',
  entrants: [
    // +10%: position 1
    { cloneId: 'alpha', creator: '0x00000000000000000000000000000000000000c1', startingEquity: '10000000000', finalEquity: '11000000000' },
    // +5% and +5%: a dead heat over positions 2..3
    { cloneId: 'bravo', creator: '0x00000000000000000000000000000000000000c2', startingEquity: '10000000000', finalEquity: '10500000000' },
    {
      cloneId: 'charlie',
      creator: '0x00000000000000000000000000000000000000c3',
      startingEquity: '20000000000',
      finalEquity: '21000000000',
    },
    // −10%: position 4, weight 0
    { cloneId: 'delta', creator: '0x00000000000000000000000000000000000000c4', startingEquity: '10000000000', finalEquity: '9000000000' },
  ],
  tickets: [
    { holder: '0x00000000000000000000000000000000000000a1', cloneId: 'alpha', count: 2 },
    { holder: '0x00000000000000000000000000000000000000a2', cloneId: 'alpha', count: 4 },
    { holder: '0x00000000000000000000000000000000000000a2', cloneId: 'bravo', count: 3 },
    { holder: '0x00000000000000000000000000000000000000a3', cloneId: 'delta', count: 2 },
    // a second line of the same holder on the same clone: counted as 2 + 1 = 3 tickets
    { holder: '0x00000000000000000000000000000000000000A1', cloneId: 'alpha', count: 1 },
  ],
};

export const holders = {
  a1: '0x00000000000000000000000000000000000000A1',
  a2: '0x00000000000000000000000000000000000000A2',
  a3: '0x00000000000000000000000000000000000000A3',
} as const;

/** The payout Merkle root of the worked example (the same as OpenZeppelin's StandardMerkleTree gives). */
export const workedExampleRoot = '0x93d33749ab5283fbc2ff04a080517ff25fb527506512079f714b2500edffe61a';
