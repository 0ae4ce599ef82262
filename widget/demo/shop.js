// Demo Shop's own script (not part of Gadka): a cart in localStorage and the header count.
const CART = "demo-shop:cart";
const products = {
  grinder: { name: "Hand grinder Kaffa", price: 129 },
  kettle: { name: "Gooseneck kettle", price: 74 },
  dripper: { name: "Ceramic dripper V60", price: 32 },
};
const cart = () => JSON.parse(localStorage.getItem(CART) || "{}");
function renderCount() {
  const n = Object.values(cart()).reduce((a, b) => a + b, 0);
  for (const el of document.querySelectorAll("[data-cart-count]")) el.textContent = n ? String(n) : "";
}
for (const button of document.querySelectorAll("[data-add]")) {
  button.addEventListener("click", () => {
    const c = cart();
    c[button.dataset.add] = (c[button.dataset.add] || 0) + 1;
    localStorage.setItem(CART, JSON.stringify(c));
    renderCount();
    button.textContent = "Added ✓";
  });
}
const table = document.querySelector("[data-cart]");
if (table) {
  const rows = Object.entries(cart()).filter(([id]) => products[id]);
  if (!rows.length) table.outerHTML = '<p class="empty">Your cart is empty. <a href="./">Browse the shop</a>.</p>';
  else {
    let total = 0;
    for (const [id, qty] of rows) {
      const tr = table.tBodies[0].insertRow();
      tr.insertCell().textContent = products[id].name;
      tr.insertCell().textContent = String(qty);
      tr.insertCell().textContent = `€${products[id].price * qty}`;
      total += products[id].price * qty;
    }
    document.querySelector("[data-total]").textContent = `€${total}`;
  }
}
renderCount();
