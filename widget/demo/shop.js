// Demo Shop's own script (not part of Gadka): a cart in localStorage, the header count, a demo
// customer sign-in, and how a shop tells Gadka about its customer and cart:
//   Gadka('identify', {id, email, name, hash})  once the customer is known
//   Gadka('track', 'cart', {items, total, currency})   on every cart change
//   Gadka('track', 'purchase', {orderId, items, total, currency})   after checkout
const CART = "demo-shop:cart";
const CUSTOMER = "demo-shop:customer";
const products = {
  grinder: { name: "Hand grinder Kaffa", price: 129 },
  kettle: { name: "Gooseneck kettle", price: 74 },
  dripper: { name: "Ceramic dripper V60", price: 32 },
};
// The demo customer the cart page can "sign in" as. A real shop renders identify into the
// signed-in page, with `hash` computed on its server: hex HMAC-SHA256 of the customer id under
// the site's identity secret (never in the browser). This one is signed with the local demo
// secret (scripts/lib/seed.mjs DEMO.identitySecret), so the profile shows as verified.
const DEMO_CUSTOMER = {
  id: "cust_1001",
  email: "ewa@example.com",
  name: "Ewa Zielińska",
  hash: "8d4f4638de59208455fe6816ca56819ebd2e075101caef62ce6fef117a3253ed",
};
window.Gadka =
  window.Gadka ||
  function () {
    (Gadka.q = Gadka.q || []).push(arguments);
  };

const cart = () => JSON.parse(localStorage.getItem(CART) || "{}");
const customer = () => JSON.parse(localStorage.getItem(CUSTOMER) || "null");
function cartData() {
  const items = Object.entries(cart())
    .filter(([id]) => products[id])
    .map(([id, quantity]) => ({
      id,
      name: products[id].name,
      price: products[id].price,
      quantity,
      url: new URL(`${id}.html`, location.href).href,
    }));
  return { items, total: items.reduce((sum, i) => sum + i.price * i.quantity, 0), currency: "EUR" };
}
function renderCount() {
  const n = Object.values(cart()).reduce((a, b) => a + b, 0);
  for (const el of document.querySelectorAll("[data-cart-count]")) el.textContent = n ? String(n) : "";
}
// Delegated, so buttons drawn later (the single-page shop) work too.
document.addEventListener("click", (e) => {
  const button = e.target.closest("[data-add]");
  if (!button) return;
  const c = cart();
  c[button.dataset.add] = (c[button.dataset.add] || 0) + 1;
  localStorage.setItem(CART, JSON.stringify(c));
  renderCount();
  button.textContent = "Added ✓";
  Gadka("track", "cart", cartData());
});

function renderCart() {
  const table = document.querySelector("[data-cart]");
  if (!table) return;
  const data = cartData();
  const body = table.tBodies[0];
  body.textContent = "";
  table.hidden = !data.items.length;
  document.querySelector("[data-empty]").hidden = data.items.length > 0;
  document.querySelector("[data-checkout]").disabled = !data.items.length;
  for (const item of data.items) {
    const tr = body.insertRow();
    tr.insertCell().textContent = item.name;
    tr.insertCell().textContent = String(item.quantity);
    tr.insertCell().textContent = `€${item.price * item.quantity}`;
  }
  document.querySelector("[data-total]").textContent = `€${data.total}`;
}

function renderAccount() {
  const box = document.querySelector("[data-account]");
  if (!box) return;
  const who = customer();
  box.querySelector("[data-who]").textContent = who ? `Signed in as ${who.name} (${who.email})` : "You are shopping as a guest.";
  box.querySelector("[data-sign-in]").hidden = !!who;
  box.querySelector("[data-sign-out]").hidden = !who;
}

const signIn = document.querySelector("[data-sign-in]");
if (signIn) {
  signIn.addEventListener("click", () => {
    localStorage.setItem(CUSTOMER, JSON.stringify(DEMO_CUSTOMER));
    Gadka("identify", DEMO_CUSTOMER);
    renderAccount();
  });
  document.querySelector("[data-sign-out]").addEventListener("click", () => {
    localStorage.removeItem(CUSTOMER);
    renderAccount();
  });
  document.querySelector("[data-checkout]").addEventListener("click", () => {
    const data = cartData();
    if (!data.items.length) return;
    const orderId = `D-${Date.now().toString(36).toUpperCase()}`;
    Gadka("track", "purchase", { orderId, ...data });
    localStorage.removeItem(CART);
    Gadka("track", "cart", cartData());
    renderCart();
    renderCount();
    document.querySelector("[data-thanks]").textContent = `Thank you! Order ${orderId} is on its way.`;
  });
  // The cart page reports the cart as it is now (it may have been filled on another device's tab).
  Gadka("track", "cart", cartData());
}

if (customer()) Gadka("identify", customer());
renderCart();
renderAccount();
renderCount();
