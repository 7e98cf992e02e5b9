#!/usr/bin/python3
"""shop_paysim: a hosted payment page for candor's tests (issue 9), on loopback.

GET  /pay?order=REF&amount=N&currency=C&return=URL  shows the amount and a card form
POST /pay  takes the card (never sent to candor), posts candor's webhook signed with
           HMAC-SHA256 over "T." + body (header Candor-Signature: t=T,v1=HEX) and
           sends the browser back to the return URL (303)
Usage: shop_paysim.py PORT_FILE SECRET_FILE CANDOR_URL_FILE HOST
(CANDOR_URL_FILE holds http://127.0.0.1:PORT, read at each webhook: candor may start later.)
The port it listens on is written to PORT_FILE. Standard library only.
"""
import hashlib
import hmac
import html
import http.client
import http.server
import secrets
import sys
import time
import urllib.parse

PORT_FILE, SECRET_FILE, CANDOR_FILE, HOST = sys.argv[1:5]
SECRET = open(SECRET_FILE).read().splitlines()[0].encode()


def webhook(order, amount, currency, last4):
    body = urllib.parse.urlencode({
        "event": "evt_" + secrets.token_hex(8), "order": order, "status": "paid",
        "reference": "sim_" + secrets.token_hex(6), "amount": amount,
        "currency": currency, "last4": last4})
    t = str(int(time.time()))
    mac = hmac.new(SECRET, (t + "." + body).encode(), hashlib.sha256).hexdigest()
    u = urllib.parse.urlparse(open(CANDOR_FILE).read().strip())
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.request("POST", "/shop/webhook/hosted", body, {
        "Host": HOST, "Content-Type": "application/x-www-form-urlencoded",
        "Candor-Signature": "t=%s,v1=%s" % (t, mac)})
    r = c.getresponse()
    r.read()
    return r.status


class Page(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, code, text, headers=()):
        b = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(b)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(b)

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path != "/pay" or not all(k in q for k in ("order", "amount", "currency", "return")):
            self.send(404, "not found")
            return
        f = {k: html.escape(q[k][0], quote=True) for k in ("order", "amount", "currency", "return")}
        self.send(200, (
            "<!doctype html><title>PaySim</title><h1>PaySim: pay order %(order)s</h1>"
            "<p id=amount>%(amount)s minor units %(currency)s</p>"
            "<form method=post action=/pay><input type=hidden name=order value='%(order)s'>"
            "<input type=hidden name=amount value='%(amount)s'>"
            "<input type=hidden name=currency value='%(currency)s'>"
            "<input type=hidden name=return value='%(return)s'>"
            "<label>Card number <input name=card id=card></label>"
            "<button type=submit id=pay>Pay</button></form>") % f)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        q = urllib.parse.parse_qs(self.rfile.read(n).decode())
        card = q.get("card", [""])[0].replace(" ", "")
        order, ret = q.get("order", [""])[0], q.get("return", ["/"])[0]
        if len(card) < 12 or not card.isdigit():
            self.send(400, "card refused")
            return
        amount, currency = q.get("amount", [""])[0], q.get("currency", [""])[0]
        status = webhook(order, amount, currency, card[-4:])
        if status != 200:
            self.send(502, "candor answered %d" % status)
            return
        self.send(303, "paid", [("Location", ret)])


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
with open(PORT_FILE + ".tmp", "w") as fp:
    fp.write(str(srv.server_address[1]))
import os
os.rename(PORT_FILE + ".tmp", PORT_FILE)
srv.serve_forever()
