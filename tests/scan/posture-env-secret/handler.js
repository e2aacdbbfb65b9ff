'use strict';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

exports.subscribe = async (event) => {
  const body = JSON.parse(event.body || '{}');
  if (typeof body.email !== 'string' || !EMAIL.test(body.email)) {
    return { statusCode: 400, body: JSON.stringify({ error: 'invalid email' }) };
  }
  return { statusCode: 202, body: JSON.stringify({ list: process.env.LIST_ID }) };
};
