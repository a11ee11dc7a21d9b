/**
 * Every text a buyer reads, in Vietnamese and English. Pure data, shared by the server (pages, JSON
 * field errors) and the page script (as-you-type checks), so both say exactly the same thing.
 */
import type { ClaimField } from "./claim-form.ts";
import type { Locale } from "./locale.ts";

export type Localized = Readonly<Record<Locale, string>>;

/** Field error codes of the claim form (`errors[].code` in the 400 answer). */
export type FieldErrorCode =
  | "REQUIRED"
  | "INVALID_BUYER_TYPE"
  | "TAX_CODE_INVALID_CHARACTERS"
  | "TAX_CODE_INVALID_LENGTH"
  | "TAX_CODE_INVALID_SEQUENCE"
  | "TAX_CODE_INVALID_CHECK_DIGIT"
  | "TAX_CODE_INVALID_BRANCH_SUFFIX"
  | "TAX_CODE_INVALID_PROVINCE_CODE"
  | "PERSONAL_ID_INVALID"
  | "INVALID_EMAIL"
  | "INVALID_CHARACTERS"
  | "TOO_LONG"
  | "UNKNOWN_PROVINCE"
  | "UNKNOWN_COMMUNE";

export const FIELD_ERRORS: Readonly<Record<FieldErrorCode, Localized>> = {
  REQUIRED: { vi: "Vui lòng nhập thông tin này.", en: "Please fill this in." },
  INVALID_BUYER_TYPE: {
    vi: "Chọn công ty/tổ chức hoặc cá nhân.",
    en: "Choose company/organisation or individual.",
  },
  TAX_CODE_INVALID_CHARACTERS: {
    vi: "Mã số thuế chỉ gồm chữ số (có thể có dấu gạch ngang trước 3 số cuối của chi nhánh).",
    en: "A tax code has digits only (a branch code may have a hyphen before its last 3 digits).",
  },
  TAX_CODE_INVALID_LENGTH: {
    vi: "Mã số thuế có 10 chữ số, 13 chữ số (chi nhánh) hoặc 12 chữ số (số định danh cá nhân).",
    en: "A tax code has 10 digits, 13 digits (branch) or 12 digits (personal identification number).",
  },
  TAX_CODE_INVALID_SEQUENCE: {
    vi: "Mã số thuế này không hợp lệ.",
    en: "This tax code is not valid.",
  },
  TAX_CODE_INVALID_CHECK_DIGIT: {
    vi: "Mã số thuế không đúng: chữ số kiểm tra không khớp. Vui lòng kiểm tra lại từng chữ số.",
    en: "This tax code is wrong: its check digit does not match. Please check every digit.",
  },
  TAX_CODE_INVALID_BRANCH_SUFFIX: {
    vi: "Mã chi nhánh phải có đúng 3 chữ số sau dấu gạch ngang, từ 001 đến 999.",
    en: "A branch code has exactly 3 digits after the hyphen, from 001 to 999.",
  },
  TAX_CODE_INVALID_PROVINCE_CODE: {
    vi: "Số định danh cá nhân 12 chữ số phải bắt đầu bằng mã tỉnh 001–096.",
    en: "A 12-digit personal identification number starts with a province code 001–096.",
  },
  PERSONAL_ID_INVALID: {
    vi: "Số CCCD/định danh cá nhân gồm 12 chữ số, bắt đầu bằng mã tỉnh 001–096.",
    en: "A citizen ID / personal identification number has 12 digits, starting with a province code 001–096.",
  },
  INVALID_EMAIL: {
    vi: "Địa chỉ email không đúng (ví dụ: ten@congty.vn).",
    en: "This is not a valid e-mail address (for example name@company.vn).",
  },
  INVALID_CHARACTERS: {
    vi: "Có ký tự không dùng được trên hóa đơn.",
    en: "This contains characters an invoice cannot carry.",
  },
  TOO_LONG: { vi: "Nội dung quá dài.", en: "This is too long." },
  UNKNOWN_PROVINCE: { vi: "Chọn tỉnh/thành phố trong danh sách.", en: "Choose a province from the list." },
  UNKNOWN_COMMUNE: {
    vi: "Chọn xã/phường thuộc tỉnh/thành phố đã chọn.",
    en: "Choose a commune of the chosen province.",
  },
};

/** Texts of the page and of problem answers. */
export const TEXT = {
  pageTitle: { vi: "Yêu cầu xuất hóa đơn", en: "Request an invoice" },
  intro: {
    vi: "Nhập thông tin người mua để nhận hóa đơn điện tử (hóa đơn GTGT) cho đơn hàng này.",
    en: "Enter the buyer's details to receive an e-invoice (VAT invoice) for this order.",
  },
  otherLanguage: { vi: "English", en: "Tiếng Việt" },
  merchant: { vi: "Người bán", en: "Seller" },
  orderDate: { vi: "Ngày mua", en: "Order date" },
  amount: { vi: "Số tiền", en: "Amount" },
  deadline: { vi: "Hạn yêu cầu", en: "Request before" },
  buyerType: { vi: "Người mua là", en: "The buyer is" },
  company: { vi: "Công ty / tổ chức", en: "A company / organisation" },
  individual: { vi: "Cá nhân", en: "An individual" },
  taxCode: { vi: "Mã số thuế", en: "Tax code" },
  taxCodeHint: {
    vi: "10 hoặc 13 chữ số; cá nhân, hộ kinh doanh có thể dùng số định danh 12 chữ số. Bắt buộc với công ty.",
    en: "10 or 13 digits; individuals and household businesses may use their 12-digit personal ID. Required for companies.",
  },
  name: { vi: "Tên công ty hoặc họ tên người mua", en: "Company name or the buyer's full name" },
  nameHint: {
    vi: "Ghi đúng như trên đăng ký kinh doanh hoặc giấy tờ tùy thân.",
    en: "As on the business registration or identity document.",
  },
  street: { vi: "Số nhà, tên đường", en: "House number and street" },
  province: { vi: "Tỉnh / thành phố", en: "Province / city" },
  commune: { vi: "Xã / phường / đặc khu", en: "Commune / ward / special zone" },
  choose: { vi: "— Chọn —", en: "— Choose —" },
  chooseProvinceFirst: { vi: "— Chọn tỉnh/thành phố trước —", en: "— Choose the province first —" },
  refreshCommunes: { vi: "Hiện danh sách xã/phường", en: "Show the communes" },
  addressHint: { vi: "Bắt buộc với công ty.", en: "Required for companies." },
  email: { vi: "Email nhận hóa đơn", en: "E-mail to receive the invoice" },
  personalId: { vi: "Số CCCD / định danh cá nhân (không bắt buộc)", en: "Citizen ID number (optional)" },
  personalIdHint: { vi: "Chỉ dành cho người mua cá nhân.", en: "For individual buyers only." },
  submit: { vi: "Gửi yêu cầu", en: "Send the request" },
  errorSummary: { vi: "Vui lòng sửa các mục sau:", en: "Please correct the following:" },
  submittedTitle: { vi: "Đã nhận yêu cầu của bạn", en: "Your request has been received" },
  submittedNext: {
    vi: "Hóa đơn sẽ được lập theo thông tin bạn đã gửi và gửi tới email của bạn. Bạn không cần làm gì thêm.",
    en: "The invoice will be made out with the details you sent and e-mailed to you. There is nothing else to do.",
  },
  issuedTitle: { vi: "Hóa đơn đã được phát hành", en: "The invoice has been issued" },
  issuedNext: {
    vi: "Hóa đơn đã được lập theo thông tin bạn đã gửi và gửi tới email của bạn.",
    en: "The invoice was made out with the details you sent and e-mailed to you.",
  },
  supersededTitle: {
    vi: "Yêu cầu đã được chuyển cho người bán",
    en: "Your request was passed to the seller",
  },
  supersededNext: {
    vi: "Đơn hàng đã có thông tin hóa đơn trước khi yêu cầu của bạn được xử lý. Người bán sẽ liên hệ nếu cần điều chỉnh.",
    en: "The order already had invoice details before your request was processed. The seller will contact you if a correction is needed.",
  },
  expiredTitle: { vi: "Đã hết hạn yêu cầu hóa đơn", en: "The time to request an invoice has passed" },
  expiredNext: {
    vi: "Hạn yêu cầu là {deadline}. Hóa đơn được lập cho người mua không lấy hóa đơn. Nếu cần hóa đơn công ty, vui lòng liên hệ người bán.",
    en: "The deadline was {deadline}. The invoice is made out to a buyer who did not ask for one. If you need a company invoice, please contact the seller.",
  },
  closedTitle: { vi: "Yêu cầu hóa đơn này đã đóng", en: "This invoice request is closed" },
  closedNext: {
    vi: "Đơn hàng này không còn nhận yêu cầu hóa đơn qua liên kết này. Vui lòng liên hệ người bán.",
    en: "This order no longer takes invoice requests through this link. Please contact the seller.",
  },
  notFoundTitle: { vi: "Không tìm thấy yêu cầu hóa đơn", en: "Invoice request not found" },
  notFoundNext: {
    vi: "Liên kết không đúng hoặc không còn dùng được. Vui lòng kiểm tra lại mã QR hoặc đường dẫn trên hóa đơn bán hàng.",
    en: "The link is wrong or no longer valid. Please check the QR code or the link on your receipt.",
  },
  rateLimitedTitle: { vi: "Bạn thao tác quá nhanh", en: "Too many requests" },
  rateLimitedNext: {
    vi: "Vui lòng thử lại sau {seconds} giây.",
    en: "Please try again in {seconds} seconds.",
  },
  unavailableTitle: { vi: "Hệ thống đang bận", en: "The service is busy" },
  unavailableNext: {
    vi: "Yêu cầu của bạn chưa được ghi nhận. Vui lòng thử lại sau ít phút.",
    en: "Your request was not recorded. Please try again in a few minutes.",
  },
  invalidFields: { vi: "Thông tin chưa hợp lệ.", en: "Some details are not valid." },
} as const satisfies Record<string, Localized>;

export type TextKey = keyof typeof TEXT;

/** The label of each form field (also what the error summary names). */
export const FIELD_LABELS: Readonly<Record<ClaimField, TextKey>> = {
  buyerType: "buyerType",
  taxCode: "taxCode",
  name: "name",
  street: "street",
  provinceCode: "province",
  communeCode: "commune",
  email: "email",
  personalId: "personalId",
};

/** A text in `locale`, with `{name}` placeholders filled in. */
export function t(key: TextKey, locale: Locale, values: Record<string, string> = {}): string {
  return TEXT[key][locale].replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
