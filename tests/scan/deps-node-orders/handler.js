'use strict';

const _ = require('lodash');
const serialize = require('node-serialize');

// The hourly roll-up: totals per region of a fixed sample of order lines, serialised for the
// archive bucket by a later step.
const SAMPLE = [
  { region: 'eu', sku: 'A-100', qty: 2, cents: 1999 },
  { region: 'eu', sku: 'B-200', qty: 1, cents: 4500 },
  { region: 'us', sku: 'A-100', qty: 5, cents: 1999 },
];

exports.rollup = async () => {
  const byRegion = _.groupBy(SAMPLE, 'region');
  const totals = _.mapValues(byRegion, (lines) => _.sumBy(lines, (l) => l.qty * l.cents));
  return { statusCode: 200, body: serialize.serialize({ generatedAt: Date.now(), totals }) };
};
