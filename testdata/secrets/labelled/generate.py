#!/usr/bin/env python3
"""Generates the labelled sets of the secret re-ranker (src/secrets/ranker.h):

  testdata/secrets/labelled/train/    seed 7001, the "train" templates and vocabulary
  testdata/secrets/labelled/heldout/  seed 9202, other file types, other names, other values

Each set is a tree of realistic files (source in several languages, config files, .env, YAML,
JSON, shell, Dockerfiles, docs, test fixtures) holding SYNTHETIC true secrets (random
characters of realistic shapes, never real credentials) and the values generic rules confuse
with secrets (hashes, bcrypt, UUIDs, public keys, base64 of ordinary text, key ids,
placeholders that slip past the placeholder filter, references, paths, fixture values).

labels.tsv beside each tree: `file<TAB>line<TAB>rule<TAB>label<TAB>kind`. label 1 = a
credential, 0 = not. rule is the rule id expected to report a vendor secret, or `*` for a
value only the generic rules can see (any rule reporting that line is judged by the label).
A line of the tree that is not in labels.tsv holds nothing secret-like; a candidate there
counts as a false positive.

The held-out set shares no template, file type mix, name vocabulary or value style list with
the train set except the alphabet of base62/hex/base64, so it measures generalisation.

Run from the repository root: python3 testdata/secrets/labelled/generate.py
"""
import base64
import hashlib
import os
import random
import shutil
import string

ROOT = os.path.dirname(os.path.abspath(__file__))
B62 = string.ascii_letters + string.digits
HEX = '0123456789abcdef'
B64 = string.ascii_letters + string.digits + '+/'
BCRYPT = './' + string.ascii_letters + string.digits
# A random fill never contains these (the scanner treats them as placeholder markers, and a
# fill that spells one by chance would be mislabelled).
BANNED = ['example', 'sample', 'dummy', 'xxxx', 'fake', 'todo', 'lorem', 'ipsum', 'test',
          'insert', 'your', 'redact', 'change', 'notreal', 'foobar', 'abcdefgh', 'env(']


class Vocab:
    """Everything that differs between the train and the held-out set."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


TRAIN = Vocab(
    seed=7001,
    files=60,
    types=['py', 'js', 'yaml', 'env', 'json', 'sh', 'ini', 'dockerfile', 'go', 'md'],
    dirs=['app', 'service/api', 'deploy', 'config', 'scripts', 'cmd/server', 'infra'],
    test_dirs=['tests', 'tests/fixtures', 'spec'],
    doc_dirs=['docs', 'README'],
    password_names=['db_password', 'DB_PASS', 'admin_password', 'smtp_password', 'POSTGRES_PASSWORD',
                    'redis_password', 'mail_pass', 'ROOT_PASSWORD'],
    secret_names=['api_key', 'client_secret', 'SECRET_KEY', 'auth_token', 'access_token',
                  'API_SECRET', 'jwt_secret', 'session_secret', 'app_secret', 'private_token'],
    hash_names=['token_hash', 'secret_sha256', 'api_key_digest', 'password_sha1', 'token_checksum',
                'password_md5', 'secret_fingerprint'],
    id_names=['api_key_id', 'token_id', 'secret_version_id', 'access_key_name', 'token_uuid'],
    pub_names=['ssh_public_key', 'public_key', 'host_key_pub', 'deploy_key_pub'],
    text_names=['banner_b64', 'welcome_message', 'template_data', 'icon_base64'],
    nest_children=['value', 'current', 'secure'],
    neutral_names=['opaque', 'cfg_value', 'upstream', 'conn', 'magic_string', 'X_INTERNAL'],
    nest_parents=['image', 'cache', 'build'],
    words=['maple', 'orbit', 'kettle', 'harbor', 'falcon', 'copper', 'violet', 'summit', 'ember',
           'lantern', 'meadow', 'quartz', 'tundra', 'willow', 'cobalt', 'saffron'],
    sentences=['the quick brown fox jumps over the lazy dog again and again',
               'hello world, this is the welcome banner for new users of the portal',
               'please contact the operations team before restarting this service',
               'all requests are logged and reviewed by the security team daily'],
    weak=['dev-secret-key-not-for-production', 'super_secret_signing_key_2024',
          'my-local-dev-token-value-42', 'please_rotate_this_secret_soon',
          'insecure-default-jwt-secret-1', 'secret-for-local-dev-only-v2',
          'default_admin_password_2023'],
    refs=['app-secrets/signing-key-v2', 'db-credentials-prod-01', 'tls-cert-prod-2024',
          'config/secrets/token-prod', 'vault/kv/app/api-token-v3'],
    versions=['v2-20240601-beta3', 'release-2023-11-07-rc2', 'build-4471-g3f2a9c1'],
)

HELDOUT = Vocab(
    seed=9202,
    files=45,
    types=['ts', 'rb', 'php', 'toml', 'properties', 'tf', 'java', 'kt', 'compose', 'rst',
           'yaml', 'env'],
    dirs=['src/main', 'lib', 'packages/core', 'terraform', 'helm/values', 'etc', 'backend'],
    test_dirs=['test/unit', '__tests__', 'testdata'],
    doc_dirs=['doc', 'wiki'],
    password_names=['mysql_pwd', 'redis_passphrase', 'PGPASSWORD', 'ldap_bind_password',
                    'keystorePassword', 'ftp_passwd', 'rabbitmq_default_pass', 'SA_PASSWORD'],
    secret_names=['stripeSecret', 'webhook_signing_secret', 'accessToken', 'x_api_key',
                  'OAUTH_CLIENT_SECRET', 'refresh_token', 'hmac_secret', 'encryption_secret',
                  'bearerToken', 'serviceApiKey'],
    hash_names=['refresh_token_sha256', 'clientSecretHash', 'api_key_sha1', 'secret_digest_hex',
                'pwd_sha256', 'token_md5'],
    id_names=['secretArnSuffix_id', 'accessKeyId', 'token_key_id', 'api_key_uuid',
              'credentials_id'],
    pub_names=['authorized_key', 'sshPublicKey', 'signing_pubkey', 'node_public_key'],
    text_names=['motd_base64', 'footer_text_b64', 'notice_blob', 'header_encoded'],
    nest_children=['active', 'primary', 'v1'],
    neutral_names=['setting_a', 'internal_value', 'opaque_value', 'INIT_VALUE', 'cfg2'],
    nest_parents=['artifact', 'layer', 'bundle'],
    words=['granite', 'pelican', 'juniper', 'nebula', 'ripple', 'cinder', 'marble', 'thistle',
           'beacon', 'glacier', 'hollow', 'pepper', 'raven', 'sierra', 'tango', 'walnut'],
    sentences=['maintenance window starts every sunday at two in the morning utc',
               'this build was produced by the nightly pipeline of the platform team',
               'reports are generated weekly and archived for twelve months',
               'customers can reset their preferences from the account page'],
    weak=['local-only-hmac-secret-2022', 'not_a_real_production_token_9',
          'staging-shared-secret-rotate-me', 'qa_environment_signing_secret',
          'temporary-bootstrap-password-1', 'integration-secret-do-not-ship'],
    refs=['k8s-secrets/payments-webhook-v4', 'prod-db-creds-rotated-02',
          'secrets/stripe/webhook-2025', 'ingress-tls-2025-01'],
    versions=['2025-01-15-preview-7', 'rel-8812-b7e1f0d2', 'api-2024-10-01-v3'],
)


class Gen:
    def __init__(self, v):
        self.v = v
        self.rng = random.Random(v.seed)

    def fill(self, alphabet, n):
        while True:
            s = ''.join(self.rng.choice(alphabet) for _ in range(n))
            low = s.lower()
            if not any(b in low for b in BANNED) and len(set(s)) > min(6, n - 1):
                return s

    # ---- true secrets: (value, kind)
    def password(self):
        r = self.rng.random()
        w = self.v.words
        if r < 0.35:
            return self.fill(B62 + '!@#%^&*_-+=?', self.rng.randint(12, 22)), 'password-random'
        if r < 0.6:
            return (self.rng.choice(w).capitalize() + self.rng.choice('#!@%&*') +
                    str(self.rng.randint(1990, 2030)) + self.rng.choice(w)), 'password-human'
        if r < 0.8:
            parts = self.rng.sample(w, 3)
            parts[self.rng.randint(0, 2)] = parts[0].capitalize()
            return '-'.join(parts) + '-' + str(self.rng.randint(10, 99)), 'password-passphrase'
        return self.fill(B62, self.rng.randint(16, 28)), 'password-generated'

    def secret(self):
        r = self.rng.random()
        if self.v is TRAIN:
            if r < 0.35:
                return self.fill(B62, self.rng.choice([32, 40, 48, 64])), 'secret-base62'
            if r < 0.6:
                return self.fill(HEX, self.rng.choice([32, 40, 64])), 'secret-hex'
            if r < 0.85:
                raw = bytes(self.rng.getrandbits(8) for _ in range(self.rng.choice([24, 32, 48])))
                return base64.b64encode(raw).decode(), 'secret-base64'
            if r < 0.93:
                return self.fill(B62 + '-_', 50), 'secret-django'
            raw, _ = self.password()
            return base64.b64encode(raw.encode()).decode(), 'secret-base64-encoded'
        if r < 0.1:
            raw = self.fill(B62, self.rng.randint(20, 40))
            return base64.b64encode(raw.encode()).decode(), 'secret-base64-encoded'
        if r < 0.3:
            return self.fill(B62 + '-_', 43), 'secret-base64url'
        if r < 0.55:
            return self.fill(HEX, self.rng.choice([48, 56, 96])), 'secret-hex-long'
        if r < 0.8:
            return self.rng.choice(['prv_', 'sec_', 'live_', 'sk-']) + self.fill(B62, 36), \
                'secret-prefixed'
        raw = bytes(self.rng.getrandbits(8) for _ in range(self.rng.choice([20, 30, 40])))
        return base64.b64encode(raw).decode(), 'secret-base64'

    def vendor(self):
        # (name, value, rule)
        choices = [
            ('GITHUB_TOKEN', 'ghp_' + self.fill(B62, 36), 'github-pat'),
            ('slack_token', 'xoxb-' + str(self.rng.randint(10**10, 10**11)) + '-' +
             str(self.rng.randint(10**11, 10**12)) + '-' + self.fill(B62, 24), 'slack-bot-token'),
            ('stripe_key', 'sk_live_' + self.fill(B62, 32), 'stripe-secret-key'),
            ('GITLAB_TOKEN', 'glpat-' + self.fill(B62, 20), 'gitlab-pat'),
            ('NPM_TOKEN', 'npm_' + self.fill(B62, 36), 'npm-access-token'),
            ('DATABASE_URL', 'postgres://app:' + self.fill(B62, 18) + '@db.internal:5432/app',
             'postgres-url-password'),
            ('mysql_dsn', 'mysql://svc:' + self.fill(B62, 16) + '@10.0.3.7:3306/orders',
             'mysql-url-password'),
        ]
        if self.v is HELDOUT:
            choices = choices[2:] + [
                ('gh_pat', 'ghp_' + self.fill(B62, 36), 'github-pat'),
                ('SENDGRID', 'SG.' + self.fill(B62 + '-_', 22) + '.' + self.fill(B62 + '-_', 43),
                 'sendgrid-api-key')]
        return self.rng.choice(choices)

    # ---- decoys: (name, value, kind)
    def decoy(self, in_test):
        v = self.v
        w = self.rng.choice(v.words) + str(self.rng.randint(0, 9999))
        r = self.rng.random()
        if in_test and r < 0.5:
            name = self.rng.choice(v.secret_names + v.password_names)
            stem = 'fixture' if v is TRAIN else 'stub'
            val = self.rng.choice([
                f'{stem}-token-{self.rng.randint(0, 99999):05d}-{self.fill(HEX, 8)}',
                f'{stem}_secret_value_{self.rng.randint(100, 999)}',
                f'unit-{stem}-{self.rng.choice(v.words)}-{self.rng.randint(1000, 9999)}'])
            return name, val, 'fixture'
        kinds = ['hash', 'bcrypt', 'uuid', 'b64text', 'pubkey', 'keyid', 'weak', 'ref', 'version']
        if v is HELDOUT:
            # Kinds the train set never shows: does the model generalise beyond its examples?
            kinds += ['sha512', 'digest-b64', 'secret-path']
        k = self.rng.choice(kinds)
        if k == 'sha512':
            return (self.rng.choice(v.hash_names),
                    hashlib.sha512(w.encode()).hexdigest(), 'unseen-hash-sha512')
        if k == 'digest-b64':
            digest = base64.b64encode(hashlib.sha256(w.encode()).digest()).decode()
            return self.rng.choice(['content_digest', 'bodySha256', 'token_digest_b64']), digest, \
                'unseen-digest-base64'
        if k == 'secret-path':
            return self.rng.choice(v.secret_names), \
                self.rng.choice(['kv/data/payments/stripe-live', 'secret/data/ci/deploy-keys',
                                 'projects/acme-prod/secrets/db-password/versions/3']), \
                'unseen-secret-path'
        if k == 'hash':
            algo = self.rng.choice(['md5', 'sha1', 'sha256'])
            return (self.rng.choice(v.hash_names),
                    hashlib.new(algo, w.encode()).hexdigest(), 'hash-' + algo)
        if k == 'bcrypt':
            name = 'password_hash' if v is TRAIN else 'hashed_pwd'
            cost = self.rng.choice(['10', '12']) if v is TRAIN else '11'
            prefix = '$2b$' if v is TRAIN else '$2y$'
            return name, prefix + cost + '$' + self.fill(BCRYPT, 53), 'bcrypt'
        if k == 'uuid':
            u = '-'.join(self.fill(HEX, n) for n in (8, 4, 4, 4, 12))
            if self.rng.random() < 0.5:
                u = u.upper()
            name = self.rng.choice(v.id_names + ['password_reset_request'])
            return name, u, 'uuid'
        if k == 'b64text':
            text = self.rng.choice(v.sentences)
            return self.rng.choice(v.text_names), base64.b64encode(text.encode()).decode(), \
                'base64-text'
        if k == 'pubkey':
            body = (('AAAAC3NzaC1lZDI1NTE5AAAAI' + self.fill(B64, 43)) if self.rng.random() < 0.5
                    else ('AAAAB3NzaC1yc2EAAAADAQABAAABAQ' + self.fill(B64, 120)))
            return self.rng.choice(v.pub_names), body, 'public-key'
        if k == 'keyid':
            val = self.rng.choice(['AKID' + self.fill(string.ascii_uppercase + string.digits, 16),
                                   'kid-' + self.fill(HEX, 12),
                                   self.rng.choice(['tok_', 'key_']) + self.fill(B62, 24)])
            return self.rng.choice(v.id_names), val, 'key-id'
        if k == 'weak':
            return self.rng.choice(v.secret_names + v.password_names), self.rng.choice(v.weak), \
                'placeholder'
        if k == 'ref':
            return self.rng.choice(v.secret_names), self.rng.choice(v.refs), 'reference'
        return self.rng.choice(v.secret_names).rstrip('_') + '_version', \
            self.rng.choice(v.versions), 'version'


# ---- renderers: one assignment line in the file type's idiom, and filler lines.
def camel(name):
    parts = name.lower().split('_')
    return parts[0] + ''.join(p.capitalize() for p in parts[1:])


def assign(ft, name, value, rng):
    q = rng.choice(['"', "'"])
    if ft == 'py':
        return f'{name} = {q}{value}{q}'
    if ft in ('js', 'ts'):
        return rng.choice([f'const {camel(name)} = "{value}";', f'  {camel(name)}: "{value}",',
                           f"export const {name.upper()} = '{value}';"])
    if ft == 'go':
        return rng.choice([f'\t{camel(name)} := "{value}"', f'const {camel(name)} = "{value}"'])
    if ft in ('yaml', 'compose'):
        if ft == 'compose':
            return f'      - {name.upper()}={value}'
        return rng.choice([f'  {name}: {value}', f'  {name}: "{value}"', f'    {name}: {value}'])
    if ft in ('env',):
        return f'{name.upper()}={value}'
    if ft == 'json':
        return f'  "{name}": "{value}",'
    if ft == 'sh':
        return rng.choice([f'export {name.upper()}="{value}"', f'{name.upper()}={value}'])
    if ft in ('ini',):
        return f'{name} = {value}'
    if ft == 'toml':
        return f'{name} = "{value}"'
    if ft == 'properties':
        return f'{camel(name)}={value}'
    if ft == 'dockerfile':
        return rng.choice([f'ENV {name.upper()}={value}', f'ARG {name.upper()}={value}'])
    if ft in ('md', 'rst'):
        return rng.choice([f'    {name.upper()}={value}', f'    export {name.upper()}={value}'])
    if ft == 'tf':
        return f'  {name.lower()} = "{value}"'
    if ft == 'rb':
        return rng.choice([f"  config.{name.lower()} = '{value}'", f'{name.upper()} = "{value}"'])
    if ft == 'php':
        return rng.choice([f"    '{name.lower()}' => '{value}',", f"${camel(name)} = '{value}';"])
    if ft == 'java':
        return f'    private static final String {name.upper()} = "{value}";'
    if ft == 'kt':
        return f'    val {camel(name)} = "{value}"'
    raise ValueError(ft)


FILLER = {
    'py': ['import os', 'import logging', '', 'log = logging.getLogger(__name__)',
           'def handler(event, context):', '    return {"status": 200}', '# settings',
           'TIMEOUT_SECONDS = 30', 'DEBUG = False', 'ALLOWED_HOSTS = ["api.internal"]'],
    'js': ['"use strict";', "const express = require('express');", 'const app = express();',
           '', '// configuration', 'module.exports = config;', 'app.listen(8080);'],
    'ts': ["import { Injectable } from '@angular/core';", 'export interface Options {',
           '  retries: number;', '}', '', '// service settings', 'const timeoutMs = 5000;'],
    'go': ['package main', '', 'import "fmt"', 'func main() {', '\tfmt.Println("ready")', '}',
           '// Config holds the service settings.', '\tport := 8080'],
    'yaml': ['service:', '  name: orders', '  replicas: 3', 'logging:', '  level: info', '',
             '# credentials', 'database:', '  host: db.internal', '  port: 5432'],
    'compose': ['services:', '  web:', '    image: nginx:1.25', '    environment:',
                '    ports:', '      - "8080:80"', '  worker:', '    restart: always'],
    'env': ['# service environment', 'NODE_ENV=production', 'PORT=8080', 'LOG_LEVEL=info', ''],
    'json': ['{', '  "name": "orders-service",', '  "version": "1.4.2",', '  "port": 8080,',
             '  "debug": false,', '  "region": "eu-west-1",'],
    'sh': ['#!/bin/sh', 'set -eu', 'cd "$(dirname "$0")"', 'echo "starting"', '',
           '# deploy settings', 'exec ./server --port 8080'],
    'ini': ['[server]', 'host = 0.0.0.0', 'port = 8080', '', '[database]', 'name = orders',
            '; credentials below'],
    'toml': ['[server]', 'host = "0.0.0.0"', 'port = 8080', '', '[database]', 'pool = 10',
             '# secrets'],
    'properties': ['server.port=8080', 'spring.application.name=billing', '# datasource',
                   'spring.datasource.url=jdbc:postgresql://db:5432/billing', 'logging.level=INFO'],
    'dockerfile': ['FROM debian:12-slim', 'WORKDIR /app', 'COPY . /app',
                   'RUN apt-get update && apt-get install -y ca-certificates', 'EXPOSE 8080',
                   'USER 1000', 'CMD ["./server"]'],
    'md': ['# Deployment', '', 'Set the following variables before starting the service:', '',
           '```sh', '```', 'See the operations guide for details.'],
    'rst': ['Configuration', '=============', '', 'The service reads these settings::', '',
            'Restart the service after editing.'],
    'tf': ['resource "aws_db_instance" "main" {', '  engine = "postgres"',
           '  instance_class = "db.t3.micro"', '}', 'variable "region" {', '  default = "eu-west-1"'],
    'rb': ["require 'json'", 'module Billing', '  class Config', '    DEFAULT_RETRIES = 3', '  end',
           'end', 'Rails.application.configure do'],
    'php': ['<?php', "return [", "    'debug' => false,", "    'timezone' => 'UTC',", '];',
            '// database configuration'],
    'java': ['package com.acme.billing;', '', 'public final class Settings {',
             '    private static final int PORT = 8080;', '}', '    // credentials'],
    'kt': ['package com.acme.payments', '', 'object Settings {', '    const val PORT = 8080', '}',
           '    // service credentials'],
}

EXT = {'py': 'settings.py', 'js': 'config.js', 'ts': 'config.service.ts', 'go': 'main.go',
       'yaml': 'values.yaml', 'compose': 'docker-compose.yml', 'env': '.env', 'json': 'config.json',
       'sh': 'deploy.sh', 'ini': 'app.ini', 'toml': 'config.toml',
       'properties': 'application.properties', 'dockerfile': 'Dockerfile', 'md': 'SETUP.md',
       'rst': 'install.rst', 'tf': 'main.tf', 'rb': 'production.rb', 'php': 'database.php',
       'java': 'Settings.java', 'kt': 'Settings.kt'}


def make_file(g, idx):
    rng = g.rng
    v = g.v
    ft = rng.choice(v.types)
    role = rng.choices(['code', 'test', 'docs'], weights=[7, 2, 1])[0]
    if ft in ('md', 'rst'):
        role = 'docs'
    base = EXT[ft]
    if role == 'test':
        d = rng.choice(v.test_dirs)
        if ft in ('py',):
            base = f'test_settings_{idx}.py'
        elif ft in ('js', 'ts'):
            base = f'config.{idx}.spec.{ft}'
    elif role == 'docs':
        d = rng.choice(v.doc_dirs)
        if ft not in ('md', 'rst'):
            ft = 'md' if v is TRAIN else 'rst'
            base = EXT[ft]
    else:
        d = rng.choice(v.dirs)
    path = f'{d}/f{idx:03d}/{base}'
    lines = []
    labels = []
    filler = FILLER[ft]
    lines += filler[:rng.randint(1, 3)]
    n = rng.randint(5, 11)
    for _ in range(n):
        for _ in range(rng.randint(0, 2)):
            lines.append(rng.choice(filler))
        if role == 'docs':
            p_pos = 0.1
        elif role == 'test':
            p_pos = 0.05
        else:
            p_pos = 0.5
        if rng.random() < p_pos:
            if rng.random() < 0.2:
                name, value, rule = g.vendor()
                kind = 'vendor'
            else:
                r = rng.random()
                if r < 0.4:
                    name = rng.choice(v.password_names)
                    value, kind = g.password()
                elif r < 0.55:
                    # A random token under a name that says nothing: only its shape tells.
                    name = rng.choice(v.neutral_names)
                    value = g.fill(B62, rng.randint(32, 48)) if rng.random() < 0.6 else \
                        base64.b64encode(bytes(rng.getrandbits(8) for _ in range(30))).decode()
                    kind = 'secret-neutral-name'
                else:
                    name = rng.choice(v.secret_names)
                    value, kind = g.secret()
                rule = '*'
            label = 1
        else:
            name, value, kind = g.decoy(role == 'test')
            rule, label = '*', 0
        # Nested passwords (`password:\n  value: P@ss...`) are left out: no rule sees the parent
        # key, and symbols keep them from the high-entropy rule (docs/secrets.md, "Ranking").
        if ft == 'yaml' and rule == '*' and not kind.startswith('password') and \
                rng.random() < 0.3:
            # A nested value: the secret-ness is in the parent key (`password:\n  value: ...`).
            if label == 1:
                lines.append(f'  {name}:')
                name = rng.choice(v.nest_children)
            else:
                lines.append(f'  {rng.choice(v.nest_parents)}:')
            lines.append(f'    {name}: {value}')
        else:
            lines.append(assign(ft, name, value, rng))
        labels.append((path, len(lines), rule, label, kind))
    lines += filler[-rng.randint(1, 2):]
    return path, '\n'.join(lines) + '\n', labels


def main():
    for split, v in (('train', TRAIN), ('heldout', HELDOUT)):
        g = Gen(v)
        out = os.path.join(ROOT, split)
        if os.path.isdir(out):
            shutil.rmtree(out)
        rows = []
        for i in range(v.files):
            path, text, labels = make_file(g, i)
            full = os.path.join(out, 'files', path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, 'w') as f:
                f.write(text)
            rows += labels
        with open(os.path.join(out, 'labels.tsv'), 'w') as f:
            f.write('# file\tline\trule\tlabel\tkind  (generate.py; seed %d)\n' % v.seed)
            for r in rows:
                f.write('\t'.join(str(c) for c in r) + '\n')
        pos = sum(r[3] for r in rows)
        print(f'{split}: {v.files} files, {len(rows)} labelled lines, {pos} secrets')


if __name__ == '__main__':
    main()
