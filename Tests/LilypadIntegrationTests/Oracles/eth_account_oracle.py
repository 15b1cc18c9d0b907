"""Test oracle: Ethereum keys and personal_sign signatures by Python's eth-account.

Reads a JSON object on stdin:
  {"check": [{"key": hex, "message": hex, "address": str, "signature": hex}, ...],
   "make": N, "texts": [str, ...]}
For every "check" case (made by the Swift implementation) it reports whether eth-account derives
the same address, makes the same signature, and recovers the address from the Swift signature.
It also makes N cases of its own, with random keys and messages, plus one per text (signed as
its UTF-8 bytes, as a wallet signs text), for Swift to verify.
Writes {"checked": [{"address_ok", "signature_ok", "recovered_ok", "detail"}], "made": [...]}.
"""
import json
import os
import sys

from eth_account import Account
from eth_account.messages import encode_defunct


def main() -> None:
    request = json.load(sys.stdin)
    checked = []
    for case in request["check"]:
        key = bytes.fromhex(case["key"].removeprefix("0x"))
        message = encode_defunct(primitive=bytes.fromhex(case["message"].removeprefix("0x")))
        account = Account.from_key(key)
        theirs = Account.sign_message(message, key).signature
        recovered = Account.recover_message(message, signature=bytes.fromhex(case["signature"].removeprefix("0x")))
        checked.append({
            "address_ok": account.address == case["address"],
            "signature_ok": "0x" + theirs.hex().removeprefix("0x") == case["signature"],
            "recovered_ok": recovered == case["address"],
            "detail": f"eth-account: address {account.address}, signature 0x{theirs.hex().removeprefix('0x')}, recovered {recovered}",
        })
    made = []
    for index in range(request["make"]):
        account = Account.create()
        length = [0, 1, 32, 65, 1000][index % 5] if index < 5 else int.from_bytes(os.urandom(2), "big") % 300
        raw = os.urandom(length)
        signed = Account.sign_message(encode_defunct(primitive=raw), account.key)
        made.append({
            "key": "0x" + account.key.hex().removeprefix("0x"),
            "message": "0x" + raw.hex(),
            "address": account.address,
            "signature": "0x" + signed.signature.hex().removeprefix("0x"),
        })
    for text in request.get("texts", []):
        account = Account.create()
        signed = Account.sign_message(encode_defunct(text=text), account.key)
        made.append({
            "key": "0x" + account.key.hex().removeprefix("0x"),
            "message": "0x" + text.encode().hex(),
            "address": account.address,
            "signature": "0x" + signed.signature.hex().removeprefix("0x"),
        })
    json.dump({"checked": checked, "made": made}, sys.stdout)


if __name__ == "__main__":
    main()
