# synthetic secret (random characters, not a real credential)

curl -X POST https://hooks.slack.com/services/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

end of file
