'use strict';

const { S3Client, ListObjectsV2Command } = require('@aws-sdk/client-s3');

const s3 = new S3Client({});

exports.handler = async () => {
  const listing = await s3.send(new ListObjectsV2Command({ Bucket: process.env.ARCHIVE_BUCKET, MaxKeys: 25 }));
  const reports = (listing.Contents || []).map((o) => ({ key: o.Key, size: o.Size, modified: o.LastModified }));
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reports }),
  };
};
