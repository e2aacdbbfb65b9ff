'use strict';

module.exports.handler = async (event) => {
  const failures = [];
  for (const record of event.Records) {
    try {
      const order = JSON.parse(record.body);
      console.log('fulfilling', order.id);
    } catch (err) {
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
};
