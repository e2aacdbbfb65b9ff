require 'json'

def handler(event:, context:)
  messages = (event['Records'] || []).map { |r| r.dig('Sns', 'Subject') }.compact
  { statusCode: 200, body: JSON.generate(count: messages.size) }
end
