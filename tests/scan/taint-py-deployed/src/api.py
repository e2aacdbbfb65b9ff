import os


def handler(event, context):
    name = event["pathParameters"]["name"]
    answer = os.popen("nslookup " + name).read()
    return {"statusCode": 200, "body": answer}
