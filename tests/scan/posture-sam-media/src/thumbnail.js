'use strict';

const { S3Client, GetObjectCommand, PutObjectCommand } = require('@aws-sdk/client-s3');

const s3 = new S3Client({});

exports.handler = async (event) => {
  const results = [];
  for (const record of event.Records || []) {
    const bucket = record.s3.bucket.name;
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const original = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = await original.Body.transformToByteArray();
    await s3.send(
      new PutObjectCommand({
        Bucket: process.env.OUTPUT_BUCKET,
        Key: `thumbs/${record.s3.object.eTag}.jpg`,
        Body: bytes.slice(0, 65536),
        ContentType: 'image/jpeg',
      }),
    );
    results.push(record.s3.object.eTag);
  }
  return { processed: results.length };
};
