# synthetic secret (random characters, not a real credential)

echo dckr_pat_9KPCL3hF17Av1LO0ADVGjESZyys | docker login -u vigil --password-stdin

end of file
