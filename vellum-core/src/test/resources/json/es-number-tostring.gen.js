// Deterministic generator (xorshift64*) so the file can be regenerated.
let s = 0x9E3779B97F4A7C15n;
const M = (1n<<64n)-1n;
function next(){ s ^= s>>12n; s ^= (s<<25n)&M; s ^= s>>27n; return (s*0x2545F4914F6CDD1Dn)&M; }
const buf = new DataView(new ArrayBuffer(8));
const out = [];
function emit(bits){ buf.setBigUint64(0,bits); const d = buf.getFloat64(0); if(!isFinite(d)) return; out.push(bits.toString(16).padStart(16,'0')+' '+String(d)); }
function emitD(d){ buf.setFloat64(0,d); emit(buf.getBigUint64(0)); }
for(let i=0;i<3000;i++) emit(next());                                      // any bit pattern
for(let i=0;i<1500;i++){ const r=next(); emitD(Number(r>>11n)/2**53 * 10**(Number(r%40n)-20)); } // decimal-ish ranges
for(let i=0;i<500;i++){ const r=next(); emitD(Math.round(Number(r>>11n)/2**53*1e6)/100); }      // money-like
for(let e=-330;e<=310;e++){ emitD(Number('1e'+e)); emitD(Number('1e'+e)*(1+2**-52)); emitD(Number('1e'+e)*(1-2**-53)); }
for(let e=50;e<=75;e++){ emitD(2**e); emitD(2**e+2**(e-52)); emitD(-(2**e-2**(e-53))); }
for(let e=-1074;e<=1023;e+=7){ emitD(2**e); }
console.log(out.join('\n'));
