"""Test CA and the `localhost` server certificate (PEM files in the state dir)."""

import datetime
import fcntl
import ipaddress
import logging
import os

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

log = logging.getLogger("msnp.certs")

CA_PEM = "ca.pem"
CA_KEY = "ca-key.pem"
SERVER_PEM = "server.pem"
SERVER_KEY = "server-key.pem"

SERVER_DNS = "localhost"
SERVER_IPS = ("127.0.0.1",)
# Regenerate when less than this much validity is left.
MIN_REMAINING = datetime.timedelta(days=7)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write(path, data, private=False):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _make_ca():
    key = _key()
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "purple-msnp test"),
        x509.NameAttribute(NameOID.COMMON_NAME, "purple-msnp test CA"),
    ])
    now = _now()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def _make_server(ca_key, ca_cert):
    key = _key()
    now = _now()
    san = [x509.DNSName(SERVER_DNS)] + [x509.IPAddress(ipaddress.ip_address(a)) for a in SERVER_IPS]
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "purple-msnp test"),
                x509.NameAttribute(NameOID.COMMON_NAME, SERVER_DNS)]))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=True, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName(san), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def _load(state_dir):
    """The existing (ca_key, ca_cert, key, cert) if usable, else None."""
    paths = [os.path.join(state_dir, n) for n in (CA_KEY, CA_PEM, SERVER_KEY, SERVER_PEM)]
    if not all(os.path.isfile(p) for p in paths):
        return None
    try:
        blobs = []
        for p in paths:
            with open(p, "rb") as f:
                blobs.append(f.read())
        ca_key = serialization.load_pem_private_key(blobs[0], None)
        ca_cert = x509.load_pem_x509_certificate(blobs[1])
        key = serialization.load_pem_private_key(blobs[2], None)
        cert = x509.load_pem_x509_certificate(blobs[3])
        limit = _now() + MIN_REMAINING
        if ca_cert.not_valid_after < limit or cert.not_valid_after < limit:
            raise ValueError("expires soon")
        if ca_cert.public_key().public_numbers() != ca_key.public_key().public_numbers():
            raise ValueError("CA key does not match CA certificate")
        if cert.public_key().public_numbers() != key.public_key().public_numbers():
            raise ValueError("server key does not match server certificate")
        if cert.issuer != ca_cert.subject:
            raise ValueError("server certificate not issued by the CA")
        ca_cert.public_key().verify(cert.signature, cert.tbs_certificate_bytes,
                                    padding.PKCS1v15(), cert.signature_hash_algorithm)
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        if SERVER_DNS not in names.get_values_for_type(x509.DNSName):
            raise ValueError("SAN lacks %s" % SERVER_DNS)
        ips = {str(a) for a in names.get_values_for_type(x509.IPAddress)}
        if not set(SERVER_IPS) <= ips:
            raise ValueError("SAN lacks %s" % ", ".join(SERVER_IPS))
    except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound) as exc:
        log.warning("not reusing certificates in %s: %s", state_dir, exc)
        return None
    return ca_key, ca_cert, key, cert


def ensure(state_dir):
    """Make sure the CA and server certificate exist; return (ca_pem, server_pem, server_key)."""
    paths = {n: os.path.abspath(os.path.join(state_dir, n))
             for n in (CA_PEM, CA_KEY, SERVER_PEM, SERVER_KEY)}
    # Servers started at once on one state dir must agree on a single CA.
    with open(os.path.join(state_dir, ".certs.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _load(state_dir) is None:
            log.info("generating test CA and server certificate in %s", state_dir)
            ca_key, ca_cert = _make_ca()
            key, cert = _make_server(ca_key, ca_cert)
            _write(paths[CA_KEY], _key_pem(ca_key), private=True)
            _write(paths[SERVER_KEY], _key_pem(key), private=True)
            _write(paths[SERVER_PEM], cert.public_bytes(serialization.Encoding.PEM))
            _write(paths[CA_PEM], ca_cert.public_bytes(serialization.Encoding.PEM))
    return paths[CA_PEM], paths[SERVER_PEM], paths[SERVER_KEY]
