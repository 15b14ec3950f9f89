# synthetic secret (random characters, not a real credential)

curl https://deploy:CwUF6UUgJkCmBKq1oOSX@artifacts.vigil.internal/release.tgz

end of file
