'use strict';

module.exports.build = async () => {
  const now = new Date();
  return { generatedAt: now.toISOString(), rows: [] };
};
