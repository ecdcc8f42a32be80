-- disable the LiqPay keys of a copied database
UPDATE payment_provider
   SET liqpay_public_key = NULL,
       liqpay_private_key = NULL;
