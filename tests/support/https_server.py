"""https_server.py CERT KEY BODY LOG PORT_FILE: an https server on 127.0.0.1 (a free port,
written to PORT_FILE) that answers every GET with the JSON in BODY and appends each path to
LOG. For crates/core/tests/tls.rs and tests/packaging/updater.sh."""
import http.server
import ssl
import sys

cert, key, body_file, log_file, port_file = sys.argv[1:6]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(log_file, "a") as f:
            f.write(self.path + "\n")
        body = open(body_file, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
with open(port_file, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
