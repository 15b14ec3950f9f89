# synthetic secret (random characters, not a real credential)

twine upload -p pypi-AgEIcHlwaS5vcmcwTiBDDBx_G4qnbF1S7NxnnQgZdNzL394iSd7XWoH8TRz6ZA9FjlTfXBE0d4431_ecBvlLiIHF7-7DOHI75_kCR1TruR-GSaZCwn_qC640MZpRP-27-7CPMU1

end of file
