# fnwarden's built-in Python bootstrap: the Lambda runtime loop with the standard library only.
# It imports _HANDLER ("module.function") from LAMBDA_TASK_ROOT, then polls the Runtime API at
# AWS_LAMBDA_RUNTIME_API for events forever, answering each with the handler's result or error.
import importlib, json, os, sys, time, traceback, urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/"


def post(path, body, error_type=None):
    req = urllib.request.Request(API + path, data=json.dumps(body).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    if error_type:
        req.add_header("Lambda-Runtime-Function-Error-Type", error_type)
    urllib.request.urlopen(req).read()


def error_body(exc):
    return {"errorMessage": str(exc), "errorType": type(exc).__name__,
            "stackTrace": traceback.format_tb(exc.__traceback__)}


class Context:
    def __init__(self, headers):
        self.aws_request_id = headers["Lambda-Runtime-Aws-Request-Id"]
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn", "")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms", "0"))
        self.client_context = None
        self.identity = None

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def load_handler():
    spec = os.environ.get("_HANDLER", "")
    module_name, _, function_name = spec.rpartition(".")
    if not module_name:
        raise ValueError("bad handler %r: expected module.function" % spec)
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", "/var/task"))
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except SyntaxError as exc:
        post("init/error", error_body(exc), "Runtime.UserCodeSyntaxError")
        raise SystemExit(1)
    except Exception as exc:
        post("init/error", error_body(exc), "Runtime.ImportModuleError")
        raise SystemExit(1)
    handler = getattr(module, function_name, None)
    if handler is None:
        post("init/error", {"errorMessage": "handler %r missing in module %r" % (function_name, module_name),
                            "errorType": "Runtime.HandlerNotFound"}, "Runtime.HandlerNotFound")
        raise SystemExit(1)
    return handler


def main():
    handler = load_handler()
    while True:
        with urllib.request.urlopen(API + "invocation/next") as r:
            headers = r.headers
            raw = r.read()
        request_id = headers["Lambda-Runtime-Aws-Request-Id"]
        try:
            result = handler(json.loads(raw or b"null"), Context(headers))
            json.dumps(result)
        except Exception as exc:
            post("invocation/%s/error" % request_id, error_body(exc), "Unhandled")
            continue
        post("invocation/%s/response" % request_id, result)


main()
