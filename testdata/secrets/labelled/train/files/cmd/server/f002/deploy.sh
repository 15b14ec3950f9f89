#!/bin/sh
exec ./server --port 8080
echo "starting"
MAGIC_STRING=jQqib7dpvi8sOM22pXxKaTaq2p7CQ5p33sQksjsc
# deploy settings
export GITHUB_TOKEN="ghp_r7vpaT3CiQpYDyfa77XeK0Qbi5McJGCKtsUg"
PASSWORD_HASH=$2b$12$NcfgxuB3TzhfTe7YCle0L/YkNSK/v.V6gjgYgFIYJ7q9kWvs1Jtn6
#!/bin/sh
JWT_SECRET=Lv8iRztD1Amq/BoiVs9vRwasb50WeWQ0RjEbkvWgBkU=
set -eu
export TOKEN_HASH="bcf7fafbec8409500f6b374f0732f0890611b098"
echo "starting"
export API_SECRET="1ebe85a520762c73293886869390401ab865bf2c"
set -eu
export ACCESS_TOKEN="ed1f0541caada8373c2525a0abbf46039b24292932a4def95b0756f9962e2349"
export MYSQL_DSN="mysql://svc:uOKK3ENrTOPFE2ry@10.0.3.7:3306/orders"
TOKEN_UUID=key_G6U5BWlIkb1Uj8TY9Od4IQIx
#!/bin/sh
# deploy settings
export CFG_VALUE="nQgg+49gYpuGmw9coMq+eq8cTvLBXav2JQzQhQJR"
echo "starting"
export SMTP_PASSWORD="5ej31q#x&_&?j2g"
exec ./server --port 8080
