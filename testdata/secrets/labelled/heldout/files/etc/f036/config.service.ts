import { Injectable } from '@angular/core';
// service settings
const saPassword = "Pepper#2018walnut";
export const ENCRYPTION_SECRET = 'ae712f2b310acd53335a5daefb8190a54c6bd95df5c3c22f95e60a7d41fa02e29e08076412c35abeb7c9acd9ae74a5a6';
export interface Options {
  redisPassphrase: "glacier-Glacier-beacon-64",
export interface Options {
export interface Options {
  sendgrid: "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",
  retries: number;
export const SENDGRID = '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';

const databaseUrl = "postgres://app:Op9nU2U6mwsJA4NwYy@db.internal:5432/app";
import { Injectable } from '@angular/core';

const hmacSecret = "dW4o5SuYP4z0n4H7Yx9ezNNfhXJA4OCQ8cbuG-RfXv7";
const serviceapikey = "AMqLDUCefFA2tTRu1gNDEqPfuZKVb-dDlpycw5_Yg_V";
// service settings
const timeoutMs = 5000;
