'use strict';

module.exports.receive = async (event) => {
  const payload = JSON.parse(event.body || '{}');
  console.log('partner event', payload.type);
  return { statusCode: 202, body: '' };
};
