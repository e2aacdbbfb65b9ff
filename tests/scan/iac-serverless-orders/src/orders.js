'use strict';

const { DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } = require('@aws-sdk/client-dynamodb');
const { randomUUID } = require('crypto');

const db = new DynamoDBClient({});
const TABLE = process.env.TABLE_NAME;

module.exports.create = async (event) => {
  const body = JSON.parse(event.body || '{}');
  const id = randomUUID();
  await db.send(new PutItemCommand({
    TableName: TABLE,
    Item: { id: { S: id }, sku: { S: String(body.sku) }, qty: { N: String(Number(body.qty) || 1) } },
  }));
  return { statusCode: 201, body: JSON.stringify({ id }) };
};

module.exports.get = async (event) => {
  const { id } = event.pathParameters;
  const out = await db.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } } }));
  return out.Item ? { statusCode: 200, body: JSON.stringify(out.Item) } : { statusCode: 404, body: '' };
};

module.exports.list = async () => {
  const out = await db.send(new ScanCommand({ TableName: TABLE, Limit: 50 }));
  return { statusCode: 200, body: JSON.stringify(out.Items || []) };
};
