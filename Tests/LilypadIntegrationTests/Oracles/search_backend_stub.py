"""A test double of a SearXNG JSON search API: GET /search?q=Q&format=json answers results that
name the query, so a test can tell they came through. Usage: python3 search_backend_stub.py PORT"""
import json, sys, urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path != "/search" or query.get("format") != ["json"]:
            self.send_response(404)
            self.end_headers()
            return
        q = query.get("q", [""])[0]
        body = {"query": q, "results": [{"title": "%s %d" % (q, i), "url": "https://example.org/%d" % i, "content": "about %s" % q} for i in range(12)],
                "suggestions": [q + " more"]}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
