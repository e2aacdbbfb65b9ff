'use strict';

// Release-notes bot: reads merged PRs, posts a summary to Slack and mails subscribers.
module.exports = {
  github: {
    owner: 'acme-shop',
    repo: 'storefront',
    token: 'ghp_OSNwJlpMdEAahmOT7wuPjk3KneMbXw3TfIRS',
  },
  slack: {
    webhookUrl: 'https://hooks.slack.com/services/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',
    botToken: 'xoxb-53178218126-2527695514003-jJqQbEjGO6XG6Y3zOtAFWvyc',
  },
  mail: {
    from: 'releases@acme-shop.example',
    sendgridApiKey: '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',
  },
};
