/**
 * TypeScript views of the commerce input schemas (avro/commerce-*.avsc). Commerce names things its
 * own way; ingest maps these into IssuanceEvent.
 */
export interface CommerceItem {
  sku: string;
  name: string;
  unit: string | null;
  quantity: string;
  unitPrice: number;
  discount: number;
  vatRate: string;
  reducedRateEligible: boolean;
}

export interface CommerceInvoiceRequestFields {
  buyerType: string;
  taxCode: string | null;
  companyName: string | null;
  fullName: string | null;
  personalId: string | null;
  address: string | null;
  email: string | null;
  phone: string | null;
}

export interface CommercePaymentSucceeded {
  eventId: string;
  orderId: string;
  merchantId: string;
  paymentId: string;
  amount: number;
  currency: string;
  paidAt: number;
  items: CommerceItem[];
  invoiceRequest: CommerceInvoiceRequestFields | null;
}

export interface CommerceInvoiceRequested extends CommerceInvoiceRequestFields {
  eventId: string;
  orderId: string;
  merchantId: string;
  requestedAt: number;
}

export interface CommercePaymentRefunded {
  eventId: string;
  orderId: string;
  merchantId: string;
  refundId: string;
  amount: number;
  full: boolean;
  refundedAt: number;
}
