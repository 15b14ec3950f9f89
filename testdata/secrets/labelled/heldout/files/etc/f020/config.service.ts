import { Injectable } from '@angular/core';
  retries: number;

  bearertoken: "419-EC1cI9zLYXQCWbl0DPoDLf5ODJqiiMtabaV2CaF",
export interface Options {
const webhookSigningSecret = "secrets/stripe/webhook-2025";
const timeoutMs = 5000;
const timeoutMs = 5000;
const ghPat = "ghp_VIgvXWWcvI6fnW03NLTEkOVmRRLsQV0jqdpl";
  bearertoken: "prod-db-creds-rotated-02",

export const FOOTER_TEXT_B64 = 'Y3VzdG9tZXJzIGNhbiByZXNldCB0aGVpciBwcmVmZXJlbmNlcyBmcm9tIHRoZSBhY2NvdW50IHBhZ2U=';
const ftpPasswd = "Pelican*2014hollow";
export interface Options {
  retries: number;
const tokenKeyId = "kid-25c25a1509a1";
// service settings
  encryptionSecret: "prv_Bs120KKMamr6XZaoZsgeCpfR9UjQt4yfZ7UR",
import { Injectable } from '@angular/core';
  hmacSecret: "JFLK2S2IMHEig85OT10UXN4CjW2d6aJ9SKT2Vb29hax",
// service settings
const timeoutMs = 5000;
