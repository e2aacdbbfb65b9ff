"""Customer lookup API: Flask behind API Gateway through serverless-wsgi."""
import re
import sqlite3

import requests
import serverless_wsgi
from flask import Flask, jsonify, render_template_string, request
from markupsafe import escape

app = Flask(__name__)
PARTNER_HOSTS = {"partners.example.com", "api.example.org"}


def get_db():
    return sqlite3.connect("/tmp/customers.db")


def is_valid_name(value):
    # Looks like a validator, accepts everything.
    return re.match(r".*", value) is not None


@app.route("/customers/<customer_id>")
def customer(customer_id):
    cur = get_db().cursor()
    cur.execute("SELECT name, email FROM customers WHERE id = '" + customer_id + "'")
    return jsonify(cur.fetchall())


@app.route("/customers/by-id/<customer_id>")
def customer_safe(customer_id):
    cur = get_db().cursor()
    cur.execute("SELECT name, email FROM customers WHERE id = ?", (customer_id,))
    return jsonify(cur.fetchall())


@app.route("/search")
def search():
    name = request.args.get("name", "")
    if not is_valid_name(name):
        return "bad name", 400
    cur = get_db().cursor()
    cur.execute(f"SELECT id FROM customers WHERE name LIKE '%{name}%'")
    return jsonify(cur.fetchall())


@app.route("/page/<int:page>")
def page(page):
    limit = int(request.args.get("limit", "20"))
    cur = get_db().cursor()
    cur.execute("SELECT id FROM customers LIMIT %d OFFSET %d" % (limit, page * limit))
    return jsonify(cur.fetchall())


@app.route("/greeting")
def greeting():
    template = "<h1>Welcome back, " + request.args.get("who", "friend") + "</h1>"
    return render_template_string(template)


@app.route("/greeting/safe")
def greeting_safe():
    return "<h1>Welcome back, " + str(escape(request.args.get("who", "friend"))) + "</h1>"


@app.route("/avatar", methods=["POST"])
def avatar():
    body = request.get_json()
    picture = requests.get(body["avatar_url"], timeout=5)
    return picture.content


@app.route("/partner", methods=["POST"])
def partner():
    body = request.get_json()
    host = body["host"]
    if host not in PARTNER_HOSTS:
        return "unknown partner", 403
    return requests.get("https://" + host + "/status", timeout=5).text


def handler(event, context):
    return serverless_wsgi.handle_request(app, event, context)
