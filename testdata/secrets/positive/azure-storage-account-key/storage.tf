# synthetic secret (random characters, not a real credential)

azure_storage_account_key = "QFAo4E6HPxTR6R/UiVuFseKPzEw8CWeSWhuPsLdQCNLMkPsJjT15wza51Qox/jZnOq9uM2a2qTOJQNxMROYWhk=="

end of file
