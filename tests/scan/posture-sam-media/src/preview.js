'use strict';

const SIZES = { small: 160, medium: 480, large: 1080 };

exports.handler = async (event) => {
  const size = (event.queryStringParameters || {}).size;
  const width = SIZES[size] || SIZES.medium;
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ width, height: Math.round((width * 9) / 16) }),
  };
};
