'use strict';

const { S3Client, CopyObjectCommand } = require('@aws-sdk/client-s3');

const s3 = new S3Client({});

// Moves each uploaded object under archive/ with a date prefix.
module.exports.ingest = async (event) => {
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const day = new Date().toISOString().slice(0, 10);
    await s3.send(new CopyObjectCommand({
      Bucket: bucket,
      CopySource: `${bucket}/${encodeURIComponent(key)}`,
      Key: `archive/${day}/${encodeURIComponent(key)}`,
    }));
  }
};
