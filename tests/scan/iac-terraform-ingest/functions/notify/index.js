'use strict';

exports.handler = async (event) => {
  const messages = (event.Records || []).map((r) => JSON.parse(r.body));
  console.log('notifications', messages.length);
  return { statusCode: 200, body: JSON.stringify({ sent: messages.length }) };
};
