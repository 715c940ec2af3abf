// The instruments the simulator trades: real tickers, each listed on one exchange in that exchange's
// currency, with a realistic starting price, annual volatility and popularity (share of the order flow).

export interface Exchange {
  code: string;
  currency: string;
  /** Shares per board lot: quantities are whole lots. */
  lotSize: number;
}

export const EXCHANGES = {
  NYSE: { code: 'NYSE', currency: 'USD', lotSize: 1 },
  NASDAQ: { code: 'NASDAQ', currency: 'USD', lotSize: 1 },
  LSE: { code: 'LSE', currency: 'GBP', lotSize: 1 },
  Euronext: { code: 'Euronext', currency: 'EUR', lotSize: 1 },
  XETRA: { code: 'XETRA', currency: 'EUR', lotSize: 1 },
  SIX: { code: 'SIX', currency: 'CHF', lotSize: 1 },
  JPX: { code: 'JPX', currency: 'JPY', lotSize: 100 },
  HKEX: { code: 'HKEX', currency: 'HKD', lotSize: 100 },
  SSE: { code: 'SSE', currency: 'CNY', lotSize: 100 },
  TSX: { code: 'TSX', currency: 'CAD', lotSize: 1 },
  ASX: { code: 'ASX', currency: 'AUD', lotSize: 1 },
} as const satisfies Record<string, Exchange>;

export interface Instrument {
  symbol: string;
  exchange: Exchange;
  /** Starting price in the exchange's currency. */
  price: number;
  /** Annualised volatility of the geometric Brownian motion. */
  volatility: number;
  /** Relative share of the order flow. */
  weight: number;
}

const { NYSE, NASDAQ, LSE, Euronext, XETRA, SIX, JPX, HKEX, SSE, TSX, ASX } = EXCHANGES;

export const UNIVERSE: readonly Instrument[] = [
  { symbol: 'AAPL', exchange: NASDAQ, price: 229.87, volatility: 0.26, weight: 10 },
  { symbol: 'MSFT', exchange: NASDAQ, price: 415.32, volatility: 0.24, weight: 9 },
  { symbol: 'NVDA', exchange: NASDAQ, price: 131.26, volatility: 0.52, weight: 10 },
  { symbol: 'AMZN', exchange: NASDAQ, price: 186.43, volatility: 0.31, weight: 8 },
  { symbol: 'GOOGL', exchange: NASDAQ, price: 167.06, volatility: 0.29, weight: 7 },
  { symbol: 'META', exchange: NASDAQ, price: 572.44, volatility: 0.36, weight: 6 },
  { symbol: 'TSLA', exchange: NASDAQ, price: 248.5, volatility: 0.58, weight: 9 },
  { symbol: 'JPM', exchange: NYSE, price: 209.1, volatility: 0.22, weight: 5 },
  { symbol: 'V', exchange: NYSE, price: 278.53, volatility: 0.19, weight: 4 },
  { symbol: 'KO', exchange: NYSE, price: 70.23, volatility: 0.15, weight: 4 },
  { symbol: 'XOM', exchange: NYSE, price: 117.94, volatility: 0.25, weight: 4 },
  { symbol: 'BRK.B', exchange: NYSE, price: 457.23, volatility: 0.17, weight: 3 },
  { symbol: 'WMT', exchange: NYSE, price: 80.45, volatility: 0.18, weight: 4 },
  { symbol: 'DIS', exchange: NYSE, price: 91.88, volatility: 0.28, weight: 3 },
  { symbol: 'HSBA', exchange: LSE, price: 6.882, volatility: 0.23, weight: 3 },
  { symbol: 'SHEL', exchange: LSE, price: 27.05, volatility: 0.24, weight: 3 },
  { symbol: 'AZN', exchange: LSE, price: 121.6, volatility: 0.22, weight: 3 },
  { symbol: 'BP.', exchange: LSE, price: 4.012, volatility: 0.27, weight: 2 },
  { symbol: 'ULVR', exchange: LSE, price: 48.37, volatility: 0.16, weight: 2 },
  { symbol: 'MC', exchange: Euronext, price: 652.3, volatility: 0.3, weight: 3 },
  { symbol: 'ASML', exchange: Euronext, price: 801.9, volatility: 0.38, weight: 4 },
  { symbol: 'TTE', exchange: Euronext, price: 60.12, volatility: 0.23, weight: 2 },
  { symbol: 'AIR', exchange: Euronext, price: 139.86, volatility: 0.27, weight: 2 },
  { symbol: 'SAP', exchange: XETRA, price: 207.45, volatility: 0.25, weight: 3 },
  { symbol: 'SIE', exchange: XETRA, price: 173.2, volatility: 0.26, weight: 2 },
  { symbol: 'NESN', exchange: SIX, price: 91.84, volatility: 0.16, weight: 2 },
  { symbol: '7203', exchange: JPX, price: 2647.5, volatility: 0.3, weight: 4 },
  { symbol: '6758', exchange: JPX, price: 2869.0, volatility: 0.33, weight: 3 },
  { symbol: '9984', exchange: JPX, price: 8962.0, volatility: 0.45, weight: 3 },
  { symbol: '8306', exchange: JPX, price: 1577.5, volatility: 0.29, weight: 2 },
  { symbol: '0700', exchange: HKEX, price: 385.6, volatility: 0.34, weight: 4 },
  { symbol: '9988', exchange: HKEX, price: 86.95, volatility: 0.41, weight: 3 },
  { symbol: '0005', exchange: HKEX, price: 66.45, volatility: 0.22, weight: 2 },
  { symbol: '1299', exchange: HKEX, price: 58.2, volatility: 0.31, weight: 2 },
  { symbol: '600519', exchange: SSE, price: 1482.0, volatility: 0.29, weight: 3 },
  { symbol: '601398', exchange: SSE, price: 5.87, volatility: 0.18, weight: 2 },
  { symbol: '600036', exchange: SSE, price: 34.12, volatility: 0.27, weight: 2 },
  { symbol: 'RY', exchange: TSX, price: 168.33, volatility: 0.18, weight: 2 },
  { symbol: 'SHOP', exchange: TSX, price: 109.4, volatility: 0.55, weight: 2 },
  { symbol: 'TD', exchange: TSX, price: 80.91, volatility: 0.19, weight: 2 },
  { symbol: 'BHP', exchange: ASX, price: 43.5, volatility: 0.26, weight: 2 },
  { symbol: 'CBA', exchange: ASX, price: 139.22, volatility: 0.19, weight: 2 },
];

/** Brokerage houses that may appear on a trade (v2 `broker`). */
export const BROKERS: readonly string[] = [
  'Goldman Sachs',
  'Morgan Stanley',
  'J.P. Morgan',
  'Charles Schwab',
  'Interactive Brokers',
  'Fidelity',
  'Barclays',
  'HSBC',
  'BNP Paribas',
  'UBS',
  'Deutsche Bank',
  'Nomura',
  'Mizuho',
  'CITIC Securities',
  'RBC Capital Markets',
];
