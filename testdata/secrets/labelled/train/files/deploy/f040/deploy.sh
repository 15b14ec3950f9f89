#!/bin/sh
set -eu
cd "$(dirname "$0")"
# deploy settings
TOKEN_CHECKSUM=455aee9db906294b63c05980a4622cfe

export PRIVATE_TOKEN="uwDsMCxKFhHdeG2K6JrMwyvMrkFOulJIGQCThPcNcF1p6v0s"
set -eu
export ACCESS_KEY_NAME="496e15fc-7a2f-63af-72f0-41c5a1add31c"
SSH_PUBLIC_KEY=AAAAB3NzaC1yc2EAAAADAQABAAABAQ3KM94jeQL0PVLQfE00uaWb2TAbIv2Y/HsGC83NOuD7HdgvmDvQH6jbjBOTT+xKHU9f83wFbdLMVTowfyP3kZ7QTroZxAwP2wsR8rPcGaxb7MvutWJYKIGluY
export ADMIN_PASSWORD="!C5_0z0nJ1L#_Wy"
# deploy settings
exec ./server --port 8080
