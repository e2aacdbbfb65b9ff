'use strict';

// Copy to config.js and fill in; the real values live in SSM in production.
module.exports = {
  github: {
    owner: 'acme-shop',
    repo: 'storefront',
    token: process.env.GITHUB_TOKEN,
  },
  slack: {
    webhookUrl: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    botToken: 'xoxb-your-bot-token',
  },
  mail: {
    from: 'releases@acme-shop.example',
    sendgridApiKey: '<your-sendgrid-api-key>',
  },
};
