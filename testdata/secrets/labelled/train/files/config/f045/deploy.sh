#!/bin/sh
echo "starting"

PASSWORD_HASH=$2b$12$k.DjZst4yE4O5Dapnw1r0ZL3OVdJDd.VzoQ5M8XCD.ha.9mXvAJUJ
SSH_PUBLIC_KEY=AAAAC3NzaC1lZDI1NTE5AAAAImJE8+S647k43bAivopTf4+J78xN+b6Im4G8GtB75J+Z
exec ./server --port 8080
echo "starting"
export PUBLIC_KEY="AAAAB3NzaC1yc2EAAAADAQABAAABAQq87Jdq223gUwwaikldDhJzUgKY7eR7j82i9tkVDMGYxuukhomQ9jxGwMCaDEhChmblvJNfO0RzPyTArhYJchUTfLI5du3/YicGVp38//Uzae94bOKtIJ9SSu"
ACCESS_KEY_NAME=ad7e0443-3df1-d2b9-cd41-53eb6ad9e93c
#!/bin/sh
export AUTH_TOKEN="tls-cert-prod-2024"
exec ./server --port 8080
