# synthetic secret (random characters, not a real credential)

curl -H "Authorization: Bearer ya29.ywbyvAm-kAccqs8ojJ9UkPbPO1jCRMOSEcq0lm0OVFh0rJp5paF0BN5dE-dBWPHD1C4zyfcgm6A9eAziBNwEZVXKKobbUjP9m2b-jMxhqSwF2WwpWSCWdbmm" https://www.googleapis.com/

end of file
