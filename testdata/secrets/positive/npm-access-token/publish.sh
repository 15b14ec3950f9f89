# synthetic secret (random characters, not a real credential)

NPM_TOKEN=npm_LjXkDyeNBohbnoLnQPPgVNNlKTkptZqZpfrc npm publish

end of file
