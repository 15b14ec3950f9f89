# synthetic secret (random characters, not a real credential)

const apiKey = "AIzatAvbU7IPXevxDkVjGXJQudypNKFQVcHs8ty";

end of file
