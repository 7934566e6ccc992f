client_secret = "Xb7~Qp2.Lr9-Vt4_Wm8zKc3nHs6d" # want FERRY-CMP-054
