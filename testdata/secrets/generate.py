#!/usr/bin/env python3
"""Generates testdata/secrets/positive/: one file per built-in rule with a planted SYNTHETIC
secret of that rule's documented shape (random characters of the right alphabet and length,
never a real credential), and expected.tsv listing `file<TAB>line<TAB>rule` for each.

Run from the repository root: python3 testdata/secrets/generate.py (deterministic seed).
"""
import os
import random
import re

rng = random.Random(20261124)
ALPHA = {
    'an': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
    'hex': '0123456789abcdef',
    'HEX': '0123456789ABCDEF',
    'lo': 'abcdefghijklmnopqrstuvwxyz',
    'up': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    'dig': '0123456789',
    'b64': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
    'url': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-',
    'b32': 'abcdefghijklmnopqrstuvwxyz234567',
    'B32': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
    'upan': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
    'loan': 'abcdefghijklmnopqrstuvwxyz0123456789',
    'bech': 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L',
    'al': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
}
# Words a random fill must not contain (the scanner treats them as placeholder markers).
BANNED = ['example', 'sample', 'dummy', 'xxxx', 'fake', 'todo', 'lorem', 'ipsum', 'test',
          'insert', 'your', 'redact', 'change', 'notreal', 'foobar', 'abcdefgh']


def fill(kind, n):
    while True:
        s = ''.join(rng.choice(ALPHA[kind]) for _ in range(n))
        if not any(b in s.lower() for b in BANNED) and len(set(s)) > min(4, n - 1):
            return s


def expand(t):
    return re.sub(r'\{(\w+):(\d+)\}', lambda m: fill(m.group(1), int(m.group(2))), t)


def pem(label, lines=6):
    body = '\n'.join(fill('b64', 64) for _ in range(lines))
    return f'-----BEGIN {label}-----\n{body}\n{fill("b64", 20)}==\n-----END {label}-----'


UUID = '{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}'
# rule -> (file name, secret text, line offset of the secret inside the text)
T = {
    'aws-access-key-id': ('creds.ini', 'aws_access_key_id = AKIA{B32:16}'),
    'aws-secret-access-key': ('creds.ini', 'aws_secret_access_key = {an:20}/{an:10}+{an:8}'),
    'aws-session-token': ('env.sh', 'export AWS_SESSION_TOKEN={b64:220}'),
    'aws-mws-key': ('mws.properties', 'mws.auth=amzn.mws.' + UUID),
    'gcp-service-account-key': ('sa.json', '{{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n{b64:64}\\n{b64:64}\\n-----END PRIVATE KEY-----\\n"}}'),
    'gcp-api-key': ('firebase.js', 'const apiKey = "AIza{url:35}";'),
    'gcp-oauth-client-secret': ('client.json', '"client_secret": "GOCSPX-{url:28}"'),
    'google-oauth-access-token': ('curl.sh', 'curl -H "Authorization: Bearer ya29.{url:120}" https://www.googleapis.com/'),
    'firebase-cloud-messaging-key': ('fcm.txt', 'server_key=AAAA{url:7}:APA91b{url:134}'),
    'firebase-database-secret': ('app.env', 'FIREBASE_SECRET={an:40}'),
    'azure-storage-connection-string': ('appsettings.json', '"Storage": "DefaultEndpointsProtocol=https;AccountName=vigilstore;AccountKey={b64:86}==;EndpointSuffix=core.windows.net"'),
    'azure-cosmosdb-connection-string': ('cosmos.env', 'COSMOS=AccountEndpoint=https://vigil.documents.azure.com:443/;AccountKey={b64:86}==;'),
    'azure-storage-account-key': ('storage.tf', 'azure_storage_account_key = "{b64:86}=="'),
    'azure-sas-token': ('blob.txt', 'https://vigil.blob.core.windows.net/c/f?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&sig={an:43}%3D'),
    'azure-servicebus-connection-string': ('bus.env', 'SB=Endpoint=sb://vigil.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={b64:43}='),
    'azure-ad-client-secret': ('entra.env', 'AZURE_CLIENT_SECRET={an:3}8Q~{url:34}'),
    'azure-devops-pat': ('pipeline.env', 'AZURE_DEVOPS_PAT={b32:52}'),
    'alibaba-access-key-id': ('aliyun.ini', 'access_key_id = LTAI{an:20}'),
    'tencent-secret-id': ('tencent.ini', 'secret_id = AKID{an:32}'),
    'yandex-api-key': ('yc.env', 'YC_API_KEY=AQVN{url:36}'),
    'ibm-cloud-api-key': ('ibm.env', 'IBM_CLOUD_API_KEY={url:44}'),
    'digitalocean-pat': ('do.env', 'DO_TOKEN=dop_v1_{hex:64}'),
    'digitalocean-oauth-token': ('do.env', 'DO_OAUTH=doo_v1_{hex:64}'),
    'digitalocean-refresh-token': ('do.env', 'DO_REFRESH=dor_v1_{hex:64}'),
    'linode-token': ('linode.env', 'LINODE_TOKEN={hex:64}'),
    'heroku-api-key': ('heroku.env', 'HEROKU_API_KEY=' + UUID),
    'heroku-api-key-v2': ('heroku.env', 'token HRKU-{url:60}'),
    'cloudflare-api-token': ('cf.env', 'CLOUDFLARE_API_TOKEN={url:40}'),
    'cloudflare-global-api-key': ('cf.env', 'CLOUDFLARE_API_KEY={hex:37}'),
    'cloudflare-origin-ca-key': ('cf.env', 'ORIGIN_CA=v1.0-{hex:24}-{hex:146}'),
    'fly-io-token': ('fly.env', 'FLY_API_TOKEN=fo1_{url:43}'),
    'render-api-key': ('render.env', 'RENDER_KEY=rnd_{an:32}'),
    'supabase-token': ('supabase.env', 'SUPABASE_ACCESS=sbp_{hex:40}'),
    'vercel-token': ('vercel.env', 'VERCEL_TOKEN={an:24}'),
    'scalingo-api-token': ('scalingo.env', 'SCALINGO=tk-us-{url:48}'),
    'planetscale-token': ('ps.env', 'PLANETSCALE=pscale_tkn_{url:43}'),
    'databricks-token': ('dbx.cfg', 'token = dapi{hex:32}'),
    'github-pat': ('gh.env', 'GH=ghp_{an:36}'),
    'github-fine-grained-pat': ('gh.env', 'GH=github_pat_{an:22}_{an:59}'),
    'github-oauth-token': ('gh.env', 'GH=gho_{an:36}'),
    'github-app-token': ('gh.env', 'GH=ghs_{an:36}'),
    'github-refresh-token': ('gh.env', 'GH=ghr_{an:76}'),
    'gitlab-pat': ('gl.env', 'GL=glpat-{url:20}'),
    'gitlab-runner-token': ('config.toml.txt', 'token = "glrt-{url:20}"'),
    'gitlab-runner-registration-token': ('gl.env', 'REG=GR1348941{url:20}'),
    'gitlab-deploy-token': ('gl.env', 'DEPLOY=gldt-{url:20}'),
    'gitlab-pipeline-trigger-token': ('gl.env', 'TRIGGER=glptt-{hex:40}'),
    'gitlab-feed-token': ('gl.env', 'FEED=glft-{url:20}'),
    'gitlab-oauth-app-secret': ('gl.env', 'OAUTH=gloas-{hex:64}'),
    'bitbucket-app-password': ('bb.env', 'BB=ATBB{an:32}'),
    'bitbucket-client-secret': ('bb.env', 'BITBUCKET_CLIENT_SECRET={an:32}'),
    'atlassian-api-token': ('jira.env', 'JIRA=ATATT3{url:186}'),
    'circleci-token': ('ci.env', 'CIRCLE=CCIPAT_{an:22}_{hex:40}'),
    'artifactory-api-key': ('jfrog.env', 'ART=AKCp{an:69}'),
    'artifactory-reference-token': ('jfrog.env', 'REF=cmVmdGtu{an:56}'),
    'postman-api-key': ('postman.env', 'POSTMAN=PMAK-{hex:24}-{hex:34}'),
    'slack-bot-token': ('slack.env', 'SLACK_BOT=xoxb-{dig:12}-{dig:13}-{an:24}'),
    'slack-user-token': ('slack.env', 'SLACK_USER=xoxp-{dig:12}-{dig:12}-{dig:13}-{hex:32}'),
    'slack-app-token': ('slack.env', 'SLACK_APP=xapp-1-A{upan:10}-{dig:13}-{hex:64}'),
    'slack-config-token': ('slack.env', 'SLACK_CFG=xoxe.xoxp-1-{upan:163}'),
    'slack-legacy-token': ('slack.env', 'SLACK_LEGACY=xoxs-{dig:10}-{dig:10}-{dig:12}-{hex:32}'),
    'slack-webhook': ('hook.sh', 'curl -X POST https://hooks.slack.com/services/T{upan:9}/B{upan:9}/{an:24}'),
    'discord-webhook': ('discord.py.txt', 'URL = "https://discord.com/api/webhooks/{dig:18}/{url:68}"'),
    'discord-bot-token': ('discord.env', 'DISCORD_BOT_TOKEN=M{url:25}.{url:6}.{url:38}'),
    'telegram-bot-token': ('bot.env', 'TG_BOT={dig:10}:AA{url:33}'),
    'teams-webhook': ('teams.txt', 'https://vigil.webhook.office.com/webhookb2/' + UUID + '@' + UUID + '/IncomingWebhook/{hex:32}/' + UUID),
    'mattermost-webhook': ('mm.txt', 'MATTERMOST_URL=https://mattermost.vigil.dev/hooks/{loan:26}'),
    'twitter-bearer-token': ('tw.env', 'TWITTER_BEARER=AAAAAAAAAAAAAAAAAAAAA{an:80}'),
    'facebook-access-token': ('fb.env', 'FB=EAAB{an:160}'),
    'stripe-secret-key': ('stripe.env', 'STRIPE=sk_live_{an:99}'),
    'stripe-restricted-key': ('stripe.env', 'STRIPE=rk_live_{an:99}'),
    'stripe-test-secret-key': ('stripe.env', 'STRIPE=sk_test_{an:99}'),
    'stripe-webhook-secret': ('stripe.env', 'STRIPE_HOOK=whsec_{an:32}'),
    'square-access-token': ('square.env', 'SQUARE=EAAA{url:60}'),
    'square-oauth-secret': ('square.env', 'SQUARE_SECRET=sq0csp-{url:43}'),
    'paypal-braintree-access-token': ('bt.env', 'BT=access_token$production${loan:16}${hex:32}'),
    'braintree-private-key': ('bt.env', 'BRAINTREE_PRIVATE_KEY={hex:32}'),
    'paypal-client-secret': ('pp.env', 'PAYPAL_CLIENT_SECRET={url:80}'),
    'shopify-access-token': ('shop.env', 'SHOPIFY=shpat_{hex:32}'),
    'shopify-shared-secret': ('shop.env', 'SHOPIFY_SECRET=shpss_{hex:32}'),
    'easypost-api-key': ('ep.env', 'EASYPOST=EZAK{an:54}'),
    'shippo-api-token': ('shippo.env', 'SHIPPO=shippo_live_{hex:40}'),
    'twilio-api-key': ('twilio.env', 'TWILIO_KEY=SK{hex:32}'),
    'twilio-auth-token': ('twilio.env', 'TWILIO_AUTH_TOKEN={hex:32}'),
    'sendgrid-api-key': ('sg.env', 'SENDGRID=SG.{url:22}.{url:43}'),
    'mailgun-api-key': ('mg.env', 'MAILGUN=key-{hex:32}'),
    'mailchimp-api-key': ('mc.env', 'MAILCHIMP={hex:32}-us14'),
    'brevo-api-key': ('brevo.env', 'BREVO=xkeysib-{hex:64}-{an:16}'),
    'npm-access-token': ('publish.sh', 'NPM_TOKEN=npm_{an:36} npm publish'),
    'npmrc-auth-token': ('.npmrc', '//registry.npmjs.org/:_authToken={url:40}'),
    'pypi-token': ('upload.sh', 'twine upload -p pypi-AgEIcHlwaS5vcmc{url:120}'),
    'pypirc-password': ('.pypirc', '[pypi]\nusername = vigil\npassword = {an:18}', 2),
    'rubygems-api-key': ('gem.env', 'GEM_HOST_API_KEY=rubygems_{hex:48}'),
    'nuget-api-key': ('nuget.sh', 'dotnet nuget push x.nupkg -k oy2{loan:43}'),
    'clojars-api-token': ('clj.env', 'CLOJARS=CLOJARS_{loan:60}'),
    'dockerhub-pat': ('login.sh', 'echo dckr_pat_{url:27} | docker login -u vigil --password-stdin'),
    'docker-config-auth': ('config.json', '{{\n  "auths": {{\n    "registry.vigil.dev": {{\n      "auth": "{b64:40}"\n    }}\n  }}\n}}', 3),
    'readme-api-key': ('readme.env', 'README=rdme_{loan:70}'),
    'datadog-api-key': ('dd.env', 'DD_API_KEY={hex:32}'),
    'datadog-app-key': ('dd.env', 'DD_APP_KEY={hex:40}'),
    'newrelic-user-api-key': ('nr.env', 'NEW_RELIC=NRAK-{upan:27}'),
    'newrelic-license-key': ('nr.env', 'NEW_RELIC_LICENSE={hex:36}NRAL'),
    'newrelic-insert-key': ('nr.env', 'NEW_RELIC_INSERT=NRII-{url:32}'),
    'newrelic-browser-key': ('nr.env', 'NEW_RELIC_BROWSER=NRJS-{hex:19}'),
    'sentry-dsn': ('sentry.env', 'SENTRY_DSN=https://{hex:32}@o{dig:6}.ingest.sentry.io/{dig:7}'),
    'sentry-auth-token': ('sentry.env', 'SENTRY_AUTH_TOKEN=sntryu_{hex:64}'),
    'grafana-api-key': ('grafana.env', 'GRAFANA=eyJrIjoi{an:100}'),
    'grafana-cloud-token': ('grafana.env', 'GRAFANA_CLOUD=glc_{an:60}'),
    'grafana-service-account-token': ('grafana.env', 'GRAFANA_SA=glsa_{an:32}_{hex:8}'),
    'dynatrace-api-token': ('dt.env', 'DT=dt0c01.{upan:24}.{upan:64}'),
    'launchdarkly-key': ('ld.env', 'LAUNCHDARKLY_SDK_KEY=sdk-' + UUID),
    'vault-service-token': ('vault.env', 'VAULT=hvs.{url:95}'),
    'vault-batch-token': ('vault.env', 'VAULT_BATCH=hvb.{url:150}'),
    'vault-legacy-token': ('vault.env', 'VAULT_TOKEN=s.{an:24}'),
    'terraform-cloud-token': ('.terraformrc', 'token = "{an:14}.atlasv1.{url:67}"'),
    'doppler-token': ('doppler.env', 'DOPPLER=dp.st.{an:43}'),
    'pulumi-token': ('pulumi.env', 'PULUMI=pul-{hex:40}'),
    'prefect-api-key': ('prefect.env', 'PREFECT=pnu_{an:36}'),
    'age-secret-key': ('key.txt', 'AGE-SECRET-KEY-1{bech:58}'),
    'okta-api-token': ('okta.env', 'OKTA_API_TOKEN=00{url:40}'),
    'auth0-client-secret': ('auth0.env', 'AUTH0_CLIENT_SECRET={url:64}'),
    'linear-api-key': ('linear.env', 'LINEAR=lin_api_{an:40}'),
    'notion-integration-token': ('notion.env', 'NOTION=ntn_{dig:11}{an:35}'),
    'airtable-pat': ('airtable.env', 'AIRTABLE=pat{an:14}.{hex:64}'),
    'figma-pat': ('figma.env', 'FIGMA=figd_{url:40}'),
    'contentful-pat': ('cf.env', 'CONTENTFUL=CFPAT-{url:43}'),
    'typeform-pat': ('tf.env', 'TYPEFORM=tfp_{url:59}'),
    'mapbox-secret-token': ('mapbox.env', 'MAPBOX=sk.eyJ{url:60}.{url:22}'),
    'openai-api-key': ('openai.env', 'OPENAI_API_KEY=sk-proj-{url:40}T3BlbkFJ{url:40}'),
    'anthropic-api-key': ('anthropic.env', 'ANTHROPIC_API_KEY=sk-ant-api03-{url:93}AA'),
    'huggingface-token': ('hf.env', 'HF=hf_{al:34}'),
    'huggingface-org-token': ('hf.env', 'HF_ORG=api_org_{al:34}'),
    'replicate-api-token': ('replicate.env', 'REPLICATE=r8_{an:37}'),
    'groq-api-key': ('groq.env', 'GROQ=gsk_{an:52}'),
    'perplexity-api-key': ('pplx.env', 'PPLX=pplx-{an:48}'),
    'langsmith-api-key': ('ls.env', 'LANGSMITH=lsv2_pt_{hex:32}_{hex:10}'),
    'private-key-rsa': ('id_rsa', pem('RSA PRIVATE KEY')),
    'private-key-ec': ('ec.pem', pem('EC PRIVATE KEY', 2)),
    'private-key-dsa': ('dsa.pem', pem('DSA PRIVATE KEY', 3)),
    'private-key-openssh': ('id_ed25519', pem('OPENSSH PRIVATE KEY', 4)),
    'private-key-pkcs8': ('key.pem', pem('PRIVATE KEY', 5)),
    'private-key-pgp': ('secring.asc', pem('PGP PRIVATE KEY BLOCK', 8)),
    'private-key-ssh2-encrypted': ('ssh2.key', pem('SSH2 ENCRYPTED PRIVATE KEY', 4)),
    'private-key-putty': ('key.ppk', 'PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: vigil\nPublic-Lines: 2\n{b64:64}\n{b64:40}\nPrivate-Lines: 2\n{b64:64}\n{b64:40}\nPrivate-MAC: {hex:40}', 7),
    'kubeconfig-client-key': ('kubeconfig', 'users:\n- name: admin\n  user:\n    client-key-data: {b64:200}=', 3),
    'kubeconfig-token': ('kubeconfig.yaml', 'apiVersion: v1\nkind: Config\ncurrent-context: prod\nusers:\n- name: ci\n  user:\n    token: {url:60}', 6),
    'git-credentials': ('.git-credentials', 'https://vigil:{an:30}@git.vigil.dev'),
    'netrc-password': ('.netrc', 'machine api.vigil.dev login vigil password {an:20}'),
    'htpasswd-hash': ('htpasswd', 'admin:$apr1${an:8}${an:22}'),
    'wordpress-db-password': ('wp-config.php', "define( 'DB_PASSWORD', '{an:16}' );"),
    'jwt': ('session.txt', 'Authorization: Bearer eyJ{url:30}.eyJ{url:60}.{url:43}'),
    'postgres-url-password': ('db.env', 'DATABASE_URL=postgres://app:{an:20}@db.vigil.internal:5432/app'),
    'mysql-url-password': ('db.env', 'MYSQL_URL=mysql://app:{an:20}@mysql.vigil.internal/app'),
    'mongodb-url-password': ('db.env', 'MONGO_URL=mongodb+srv://app:{an:20}@cluster0.vigil.internal/app'),
    'redis-url-password': ('db.env', 'REDIS_URL=redis://:{an:20}@redis.vigil.internal:6379/0'),
    'amqp-url-password': ('db.env', 'AMQP_URL=amqp://app:{an:20}@rabbit.vigil.internal:5672/'),
    'mssql-connection-string-password': ('appsettings.json', '"Db": "Server=sql.vigil.internal;Database=app;User Id=app;Password={an:20};"'),
    'basic-auth-url': ('fetch.sh', 'curl https://deploy:{an:20}@artifacts.vigil.internal/release.tgz'),
    'generic-password': ('settings.py.txt', 'DB_PASSWORD = "{an:14}!"'),
    'generic-secret': ('app.yaml', 'session_secret: {an:32}'),
    'generic-key-assignment': ('config.md', 'key="{an:32}"'),
    'generic-high-entropy-assignment': ('config.env', 'opaque={b64:40}'),
}


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'positive')
    rows = []
    for rule, spec in sorted(T.items()):
        name, text = spec[0], spec[1]
        offset = spec[2] if len(spec) > 2 else 0
        rel = os.path.join(rule, name)
        os.makedirs(os.path.join(root, rule), exist_ok=True)
        body = '# synthetic secret (random characters, not a real credential)\n\n' \
               + expand(text) + '\n\nend of file\n'
        with open(os.path.join(root, rel), 'w') as f:
            f.write(body)
        rows.append(f'{rel}\t{3 + offset}\t{rule}')
    with open(os.path.join(root, 'expected.tsv'), 'w') as f:
        f.write('# file\tline\trule (generated by ../generate.py)\n' + '\n'.join(rows) + '\n')
    print(f'{len(rows)} positive files')


if __name__ == '__main__':
    main()
