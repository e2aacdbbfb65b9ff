'use strict';

const config = require('./config/prod.json');

exports.handler = async (event) => {
  const place = (event.queryStringParameters || {}).q || '';
  return { statusCode: 200, body: JSON.stringify({ provider: config.geocoder.provider, length: place.length }) };
};
