-- disable monobank payment provider
UPDATE payment_provider
   SET monobank_token = NULL;
