<?php
return [
    'debug' => false,
$sshpublickey = 'AAAAB3NzaC1yc2EAAAADAQABAAABAQdaMHRNFWPSbxNY64vC3aOY/3Q77S5CFZH2fZUxRKFkmvJIIZ3P+RW35K0dHsmC6hgOgyfEpgVwbyGX5MqEemRNcNqyMRVnSok3WhFDyDZEPDkhMtyYS3qCd0';
$sshpublickey = 'AAAAB3NzaC1yc2EAAAADAQABAAABAQxEEzmGa0ichYYRII31gXkdSms+Lr3AEdM7KKM36DqW+hRBf8DH/HT/81miHgJzFB0a8fsnXKUeHcI3iNr/Oc2SC7cmu2mlnuixq5AFRRrw6LysBlM72IBj4p';
return [
return [
    'x_api_key' => 'live_uANJGhtTO1dBgG9gy5abLMIBBZUGdmWGLfQd',
$opaqueValue = 'KJqNGZJJ0BsdvmUnZ0ZHnzmfph4FgCy0H';
    'timezone' => 'UTC',
$ldapBindPassword = 'miPNQ28Wy4BErtOCSjBH';
];
// database configuration
